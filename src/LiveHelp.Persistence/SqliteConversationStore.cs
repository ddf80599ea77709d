using System.Collections.Concurrent;
using System.Data.Common;
using LiveHelp.Core;
using LiveHelp.Core.Conversations;
using Microsoft.Data.Sqlite;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

/// <summary>
/// The embedded conversation store: one SQLite file in WAL mode, a pooled connection per operation, plain
/// parameterised SQL. Several store instances (or processes) may share one file; writers that must read
/// before they write (message sequence numbers) take the write lock up front with <c>BEGIN IMMEDIATE</c>.
/// Messages appended at once are stored in one transaction, as SQLite writes one at a time anyway and a commit
/// costs more than an append.
/// </summary>
public sealed class SqliteConversationStore : SqlConversationStore
{
    private const string NextSeq =
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = @conversation_id)";

    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>How many waiting appends one transaction takes at most, so the first of them is not kept long.</summary>
    private const int MaxBatch = 256;

    private readonly SqliteConnectionFactory connections;

    private readonly ConcurrentQueue<WaitingAppend> waitingAppends = new();

    /// <summary>Kept open between batches, so the statements stay prepared; used only while holding the write turn.</summary>
    private AppendStatements? appendStatements;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file, e.g. <c>Data Source=/var/lib/livehelp/livehelp.db</c>.</param>
    public SqliteConversationStore(string connectionString)
    {
        connections = new SqliteConnectionFactory(connectionString);
    }

    private protected override string Greatest => "MAX";

    // history_text holds every message, every conversation's details, and every offline message (by visitor). The
    // matches are read once; the excerpt is then made from one known row (the conversation's own first, each found by an
    // automatic index on the matches), as a MATCH per result row would read them all again.
    private protected override string TextPrelude => """
        WITH hits AS MATERIALIZED (SELECT rowid AS hit, conversation_id, visitor_id FROM history_text WHERE history_text MATCH @q)
        """;

    private protected override string TextMatch => """
        (id IN (SELECT conversation_id FROM hits) OR visitor_id IN (SELECT visitor_id FROM hits))
        """;

    private protected override string TextSnippet => """
        (SELECT snippet(history_text, 0, '', '', '…', 16) FROM history_text
         WHERE history_text MATCH @q AND rowid = COALESCE(
             (SELECT MIN(hit) FROM hits WHERE hits.conversation_id = conversations.id),
             (SELECT MIN(hit) FROM hits WHERE hits.visitor_id = conversations.visitor_id)))
        """;

    /// <summary>Each word a quoted FTS5 string, so the customer's text is never read as query syntax; all must match.</summary>
    private protected override string SearchText(string text) => string.Join(
        ' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(word => $"\"{word.Replace("\"", "\"\"", StringComparison.Ordinal)}\""));

    public override async Task InitializeAsync(CancellationToken ct = default)
    {
        connections.EnsureDirectoryExists();
        await using var connection = await connections.OpenAsync(ct);
        await SqliteSchema.MigrateAsync(connection, ct);
    }

    public override async Task<AppendedMessage> AppendMessageAsync(
        Message message, AppendRule rule = AppendRule.Any, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ct.ThrowIfCancellationRequested();
        // Measured from the caller's side: the wait for the write turn and the shared commit are part of what it costs.
        using var call = StoreTelemetry.Start(Kind);
        var append = new WaitingAppend(message, rule);
        waitingAppends.Enqueue(append);
        IDisposable? turn = null;
        try
        {
            turn = await connections.EnterWriteAsync(ct);
        }
        catch (OperationCanceledException) when (append.Withdraw())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another append's turn has taken this one into its transaction already: its outcome is the answer.
        }

        using (turn)
        {
            // Whoever gets the turn stores every append waiting by then in one transaction: one commit for many.
            while (turn is not null && !append.IsTaken)
            {
                await StoreWaitingAppendsAsync();
            }
        }

        return await append.Outcome.Task;
    }

    /// <summary>Takes the appends waiting now (a bounded batch) and stores them in one transaction.</summary>
    private async Task StoreWaitingAppendsAsync()
    {
        var batch = new List<WaitingAppend>();
        while (batch.Count < MaxBatch && waitingAppends.TryDequeue(out var waiting))
        {
            if (waiting.Take())
            {
                batch.Add(waiting);
            }
        }

        // An append whose statement fails rolls the transaction back; it alone is answered with the failure, the rest go again.
        while (batch.Count > 0)
        {
            var (outcomes, failed, failure) = await TryStoreAsync(batch);
            if (failure is null)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    outcomes[i].Answer(batch[i]);
                }
                return;
            }

            if (failed < 0)
            {
                batch.ForEach(a => a.Outcome.TrySetException(failure));
                return;
            }

            batch[failed].Outcome.TrySetException(failure);
            batch.RemoveAt(failed);
        }
    }

    /// <summary>
    /// Stores the batch in one transaction and returns each append's outcome; or, when a statement fails, which
    /// append's it was (-1: the transaction's own) and the failure, having stored nothing.
    /// </summary>
    private async Task<(List<Outcome> Outcomes, int Failed, Exception? Failure)> TryStoreAsync(List<WaitingAppend> batch)
    {
        // The batch is not cancelled: it stores other callers' messages too.
        var ct = CancellationToken.None;
        var outcomes = new List<Outcome>(batch.Count);
        var failed = -1;
        try
        {
            appendStatements ??= new AppendStatements(await connections.OpenAsync(ct));
            // SQLite has one writer at a time: holding the write lock from the start, the checks stay true until the insert.
            await using var transaction = appendStatements.Begin();
            var conversations = new Dictionary<string, Conversation?>(StringComparer.Ordinal);
            for (failed = 0; failed < batch.Count; failed++)
            {
                outcomes.Add(await AppendAsync(appendStatements, conversations, batch[failed].Message, batch[failed].Rule, ct));
            }

            failed = -1;
            await transaction.CommitAsync(ct);
            return (outcomes, -1, null);
        }
        catch (Exception e)
        {
            // The connection may be in any state after a failure: the next batch opens a new one.
            if (appendStatements is not null)
            {
                await appendStatements.DisposeAsync();
                appendStatements = null;
            }
            return ([], failed, Refusal(e) ?? e);
        }
    }

    /// <summary>One append inside the batch's transaction: the earlier copy of a retry, a refusal, or the message numbered and stored.</summary>
    private static async Task<Outcome> AppendAsync(
        AppendStatements statements, Dictionary<string, Conversation?> conversations, Message message, AppendRule rule, CancellationToken ct)
    {
        // The conversation row does not change while the batch holds the write lock: one read serves its appends.
        if (!conversations.TryGetValue(message.ConversationId, out var conversation))
        {
            conversation = await ReadFirstAsync(statements.FindConversation(message.ConversationId), ReadConversation, ct);
            conversations[message.ConversationId] = conversation;
        }

        if (message.ClientMessageId is not null && conversation is not null
            && await ReadFirstAsync(statements.FindSent(message), ReadMessage, ct) is { } existing)
        {
            return new Outcome(new AppendedMessage(existing, false, conversation), null);
        }

        if (AppendRefusal(conversation, message, rule) is { } refusal)
        {
            return new Outcome(null, refusal);
        }

        var seq = (long)(await statements.Insert(message).ExecuteScalarAsync(ct))!;
        return new Outcome(new AppendedMessage(message with { Seq = seq }, true, conversation!), null);
    }

    private protected override string Kind => StoreTelemetry.Sqlite;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) =>
        await connections.OpenAsync(ct);

    private protected override async Task<IDisposable?> EnterWriteAsync(CancellationToken ct) => await connections.EnterWriteAsync(ct);

    private protected override bool IsDuplicateKey(DbException e) =>
        e is SqliteException { SqliteExtendedErrorCode: SqliteConstraintPrimaryKey or SqliteConstraintUnique };

    /// <summary>An append waiting for a write turn: taken into a batch once, or withdrawn by its cancelled caller first.</summary>
    private sealed class WaitingAppend(Message message, AppendRule rule)
    {
        private const int Waiting = 0;
        private const int Taken = 1;
        private const int Withdrawn = 2;

        private int state;

        public Message Message => message;

        public AppendRule Rule => rule;

        public TaskCompletionSource<AppendedMessage> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsTaken => Volatile.Read(ref state) == Taken;

        public bool Take() => Interlocked.CompareExchange(ref state, Taken, Waiting) == Waiting;

        public bool Withdraw() => Interlocked.CompareExchange(ref state, Withdrawn, Waiting) == Waiting;
    }

    /// <summary>What one append came to: stored (or stored before), or refused.</summary>
    private readonly record struct Outcome(AppendedMessage? Appended, LiveHelpException? Refusal)
    {
        public void Answer(WaitingAppend append)
        {
            if (Appended is not null)
            {
                append.Outcome.TrySetResult(Appended);
            }
            else
            {
                append.Outcome.TrySetException(Refusal!);
            }
        }
    }

    /// <summary>
    /// The connection the appends are stored on and their statements, each prepared once and bound again for every
    /// message. Only the holder of the write turn uses them.
    /// </summary>
    private sealed class AppendStatements(SqliteConnection connection) : IAsyncDisposable
    {
        private readonly Dictionary<string, DbCommand> prepared = new(StringComparer.Ordinal);
        private SqliteTransaction? transaction;

        public SqliteTransaction Begin()
        {
            transaction = connection.BeginTransaction(deferred: false);
            return transaction;
        }

        public DbCommand FindConversation(string id)
        {
            var command = Prepared($"{Conversations.Select} WHERE id = @id;");
            command.SetText("id", id);
            return command;
        }

        public DbCommand FindSent(Message message) => Bound($"{Messages.Select} WHERE {SentFilter(message.SenderId)};", message);

        public DbCommand Insert(Message message) =>
            Bound($"{Messages.Insert(c => c == "seq" ? NextSeq : null)} RETURNING seq;", message);

        public async ValueTask DisposeAsync()
        {
            foreach (var command in prepared.Values)
            {
                await command.DisposeAsync();
            }
            await connection.DisposeAsync();
        }

        private DbCommand Bound(string sql, Message message)
        {
            var command = Prepared(sql);
            Bind(command, message);
            return command;
        }

        private DbCommand Prepared(string sql)
        {
            if (!prepared.TryGetValue(sql, out var command))
            {
                prepared[sql] = command = connection.Command(sql);
            }

            command.Transaction = transaction;
            command.Parameters.Clear();
            return command;
        }
    }
}
