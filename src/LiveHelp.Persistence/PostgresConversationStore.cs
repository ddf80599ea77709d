using System.Data.Common;
using System.Text;
using LiveHelp.Core.Conversations;
using Npgsql;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

/// <summary>
/// The conversation store for several nodes: one PostgreSQL database shared by all, a pooled connection per
/// operation, plain parameterised SQL. <see cref="InitializeAsync"/> creates or migrates the tables. Message
/// numbers come from a counter on the conversation row, raised by the statement that stores the message, so
/// appends to one conversation queue on that row whichever node makes them, and the numbers stay gap-free; and a
/// node that stops mid-append holds no lock, as the statement ends (or fails) within PostgreSQL.
/// </summary>
public sealed partial class PostgresConversationStore : SqlConversationStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource dataSource;

    /// <summary>Where the store connects, for error messages: never the password.</summary>
    private readonly string target;

    /// <param name="connectionString">
    /// An Npgsql connection string, e.g. <c>Host=db;Database=livehelp;Username=livehelp;Password=...</c>. The database
    /// must exist (in UTF8); the tables are created in it by <see cref="InitializeAsync"/>.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The connection string cannot be parsed or names no host; the message never quotes a value.
    /// </exception>
    public PostgresConversationStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = Parse(connectionString);
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no Host.", nameof(connectionString));
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "LiveHelp";
        }

        var user = builder.Username ?? "(default)";
        target = $"PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database ?? user}', user '{user}')";
        dataSource = NpgsqlDataSource.Create(builder);
    }

    private protected override string Greatest => "GREATEST";

    /// <summary>The indexed text of a message or an offline message (its <c>text</c> column), stemmed as English.</summary>
    internal const string MessageVector = "to_tsvector('english', text)";

    /// <summary>The indexed details the customer gave when asking for help.</summary>
    internal const string DetailsVector = "to_tsvector('english', COALESCE(pre_qualification::jsonb ->> 'details', ''))";

    private const string Query = "websearch_to_tsquery('english', @q)";

    // One set of ids from three indexed lookups: an OR of them on the conversation row would test every row.
    private protected override string TextMatch => $"""
        id IN (
            SELECT conversation_id FROM messages WHERE {MessageVector} @@ {Query}
            UNION SELECT id FROM conversations WHERE {DetailsVector} @@ {Query}
            UNION SELECT held.id FROM offline_messages JOIN conversations AS held ON held.visitor_id = offline_messages.visitor_id
                WHERE {MessageVector} @@ {Query})
        """;

    private protected override string TextSnippet => $"""
        ts_headline('english', COALESCE(
            (SELECT text FROM messages WHERE conversation_id = conversations.id AND {MessageVector} @@ {Query} ORDER BY seq LIMIT 1),
            CASE WHEN {DetailsVector} @@ {Query} THEN pre_qualification::jsonb ->> 'details' END,
            (SELECT text FROM offline_messages WHERE visitor_id = conversations.visitor_id AND {MessageVector} @@ {Query}
             ORDER BY created_at LIMIT 1), ''),
            {Query}, 'StartSel="",StopSel="",MaxWords=16,MinWords=6,ShortWord=2')
        """;

    /// <exception cref="InvalidOperationException">
    /// The server cannot be reached, refuses the login, has no such database, or the tables cannot be created; the
    /// message says which, and where, without the password.
    /// </exception>
    public override async Task InitializeAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(ct);
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"Could not connect to {target}: {Describe(e)}", e);
        }

        await using (connection)
        {
            try
            {
                await PostgresSchema.MigrateAsync(connection, ct);
            }
            catch (NpgsqlException e) when (!ct.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Could not create or migrate the LiveHelp tables in {target}: {Describe(e)}", e);
            }
        }
    }

    public override async Task<AppendedMessage> AppendMessageAsync(
        Message message, AppendRule rule = AppendRule.Any, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var append = AppendStatement(message, rule);
        while (true)
        {
            IReadOnlyList<AppendedMessage> outcome;
            try
            {
                outcome = await QueryAsync(append, c => Bind(c, message), r => new AppendedMessage(ReadMessage(r), r.GetBoolean("added"), ReadConversation(r)), ct);
            }
            catch (PostgresException e) when (IsDuplicateKey(e) && e.ConstraintName?.StartsWith("ux_messages_client_message", StringComparison.Ordinal) == true)
            {
                // A copy of this message sent at the same moment was stored first: the next round returns that one.
                continue;
            }

            if (outcome.Count > 0)
            {
                return outcome[0];
            }

            // Nothing stored and nothing stored before: the rule said no, and a fresh read (which locks nothing) says why.
            if (AppendRefusal(await FindConversationAsync(message.ConversationId, ct), message, rule) is { } refusal)
            {
                throw refusal;
            }

            // The conversation came back to the sender in between: try again.
        }
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public void Dispose() => dataSource.Dispose();

    private protected override string Kind => StoreTelemetry.Postgres;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return await dataSource.OpenConnectionAsync(ct);
    }

    private protected override bool IsDuplicateKey(DbException e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// PostgreSQL text cannot hold U+0000 nor a character the database encoding lacks, and Npgsql will not send a
    /// lone surrogate.
    /// </summary>
    private protected override bool IsUnstorableText(Exception e) => e switch
    {
        EncoderFallbackException => true,
        PostgresException p => p.SqlState
            is PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter,
        _ => false,
    };

    /// <summary>
    /// The append as one statement, so the conversation row is locked only while PostgreSQL runs it, never while it
    /// waits on a node: unless the sender stored this message before, raise the conversation's counter where the
    /// rule allows, store the message under the new number, and return it (<c>added</c>) or the earlier one. The
    /// earlier one is looked for first, so a retry takes no number and leaves no gap. The conversation row comes back
    /// with the message (as the append left it), so the caller need not read it first. Nothing returned: refused.
    /// </summary>
    private static string AppendStatement(Message message, AppendRule rule)
    {
        var allowed = rule switch
        {
            AppendRule.Any => "",
            AppendRule.Open => $"AND {OpenFilter}",
            _ => $"AND {OpenFilter} AND {(message.Kind == MessageKind.Customer ? "visitor_id" : "agent_id")} = @sender_id",
        };
        return $"""
            WITH earlier AS (
                {Messages.Select}
                WHERE {SentFilter(message.SenderId)}
            ), numbered AS (
                UPDATE conversations SET last_seq = last_seq + 1
                WHERE id = @conversation_id {allowed} AND NOT EXISTS (SELECT 1 FROM earlier)
                RETURNING last_seq, {Conversations.ColumnList}
            ), stored AS (
                INSERT INTO messages ({Messages.ColumnList})
                SELECT {Messages.Values(c => c == "seq" ? "numbered.last_seq" : null)} FROM numbered
                RETURNING {Messages.ColumnList}
            )
            SELECT true AS added, {Messages.ColumnList}, {Conversations.ColumnList} FROM stored, numbered
            UNION ALL
            SELECT false AS added, {Messages.ColumnList}, {Conversations.ColumnList} FROM earlier, conversations
            WHERE conversations.id = @conversation_id;
            """;
    }

    /// <summary>
    /// Npgsql's own parse errors quote the keyword they choke on, which for a password holding an unquoted ';' is
    /// part of the password; these name only keywords that Npgsql knows.
    /// </summary>
    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        const string Invalid = "The PostgreSQL connection string is not valid";
        DbConnectionStringBuilder pairs;
        try
        {
            pairs = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            throw new ArgumentException(
                $"{Invalid}: it is not a list of Keyword=value pairs separated by ';' (quote a value holding ';').",
                nameof(connectionString));
        }

        var builder = new NpgsqlConnectionStringBuilder();
        foreach (string keyword in pairs.Keys)
        {
            if (!builder.ContainsKey(keyword))
            {
                throw new ArgumentException(
                    $"{Invalid}: it holds a keyword that Npgsql does not know (not shown: quote a value holding ';').",
                    nameof(connectionString));
            }

            try
            {
                builder[keyword] = pairs[keyword];
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                throw new ArgumentException($"{Invalid}: the value of '{keyword}' is not allowed.", nameof(connectionString));
            }
        }

        return builder;
    }

    /// <summary>The error and its first cause ("Failed to connect to ...: Connection refused").</summary>
    private static string Describe(NpgsqlException e) =>
        e is not PostgresException && e.InnerException is { } cause && !e.Message.Contains(cause.Message, StringComparison.Ordinal)
            ? $"{e.Message}: {cause.Message}"
            : e.Message;
}
