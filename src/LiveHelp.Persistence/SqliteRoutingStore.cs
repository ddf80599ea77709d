using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence;

/// <summary>
/// The routing state in the embedded SQLite file, next to the conversations. SQLite runs one writer at a time, so
/// each step waits for this process's turn to write (shared with the conversation store), takes the write lock when
/// it begins (<c>BEGIN IMMEDIATE</c>) and needs no row locks.
/// </summary>
public sealed class SqliteRoutingStore : SqlRoutingStore
{
    private const int SqliteBusy = 5;

    private readonly SqliteConnectionFactory connections;

    /// <param name="connectionString">The same database file as the node's <see cref="SqliteConversationStore"/>, whose schema holds the routing tables.</param>
    public SqliteRoutingStore(string connectionString, string nodeId)
        : base(nodeId)
    {
        connections = new SqliteConnectionFactory(connectionString);
    }

    private protected override string ForUpdate => "";

    private protected override async Task<IDisposable?> EnterWriteAsync() => await connections.EnterWriteAsync(CancellationToken.None);

    private protected override string Kind => StoreTelemetry.Sqlite;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await connections.OpenAsync(ct);

    private protected override Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    private protected override bool IsRetryable(DbException e) => e is SqliteException { SqliteErrorCode: SqliteBusy };
}
