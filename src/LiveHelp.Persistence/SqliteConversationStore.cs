using System.Data.Common;
using LiveHelp.Core.Conversations;
using Microsoft.Data.Sqlite;
using static LiveHelp.Persistence.SqlRecords;

namespace LiveHelp.Persistence;

/// <summary>
/// The embedded conversation store: one SQLite file in WAL mode, a pooled connection per operation, plain
/// parameterised SQL. Several store instances (or processes) may share one file; writers that must read
/// before they write (message sequence numbers) take the write lock up front with <c>BEGIN IMMEDIATE</c>.
/// </summary>
public sealed class SqliteConversationStore : SqlConversationStore
{
    private const string NextSeq =
        "(SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = @conversation_id)";

    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private readonly SqliteConnectionFactory connections;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string naming a file, e.g. <c>Data Source=/var/lib/livehelp/livehelp.db</c>.</param>
    public SqliteConversationStore(string connectionString)
    {
        connections = new SqliteConnectionFactory(connectionString);
    }

    private protected override string Greatest => "MAX";

    public override async Task InitializeAsync(CancellationToken ct = default)
    {
        connections.EnsureDirectoryExists();
        await using var connection = await connections.OpenAsync(ct);
        await SqliteSchema.MigrateAsync(connection, ct);
    }

    public override async Task<(Message Message, bool Added)> AppendMessageAsync(
        Message message, AppendRule rule = AppendRule.Any, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var turn = await connections.EnterWriteAsync(ct);
        await using var connection = await connections.OpenAsync(ct);
        // SQLite has one writer at a time: holding the write lock from the start, the checks stay true until the insert.
        await using var transaction = connection.BeginTransaction(deferred: false);

        if (message.ClientMessageId is not null && await FindSentAsync(connection, transaction, message, ct) is { } existing)
        {
            await transaction.CommitAsync(ct);
            return (existing, false);
        }

        Conversation? conversation;
        await using (var find = connection.Command($"{Conversations.Select} WHERE id = @id;", transaction))
        {
            find.SetText("id", message.ConversationId);
            conversation = await ReadFirstAsync(find, ReadConversation, ct);
        }
        if (AppendRefusal(conversation, message, rule) is { } refusal)
        {
            throw refusal;
        }

        await using var insert = connection.Command(
            $"{Messages.Insert(c => c == "seq" ? NextSeq : null)} RETURNING seq;", transaction);
        Bind(insert, message);
        var seq = (long)(await insert.ExecuteScalarAsync(ct))!;
        await transaction.CommitAsync(ct);
        return (message with { Seq = seq }, true);
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) =>
        await connections.OpenAsync(ct);

    private protected override async Task<IDisposable?> EnterWriteAsync(CancellationToken ct) => await connections.EnterWriteAsync(ct);

    private protected override bool IsDuplicateKey(DbException e) =>
        e is SqliteException { SqliteExtendedErrorCode: SqliteConstraintPrimaryKey or SqliteConstraintUnique };
}
