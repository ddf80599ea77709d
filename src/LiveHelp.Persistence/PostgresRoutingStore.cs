using System.Data;
using System.Data.Common;
using Npgsql;

namespace LiveHelp.Persistence;

/// <summary>
/// The routing state in the PostgreSQL database the nodes share, next to the conversations. Steps lock the rows they
/// decide on (<c>FOR UPDATE</c>); a session left idle inside a transaction (its node frozen) is ended by the server
/// after a few seconds, so its locks cannot stall the other nodes for long.
/// </summary>
public sealed class PostgresRoutingStore : SqlRoutingStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource dataSource;

    /// <param name="connectionString">The same database as the nodes' <see cref="PostgresConversationStore"/>, whose schema holds the routing tables.</param>
    public PostgresRoutingStore(string connectionString, string nodeId)
        : base(nodeId)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.ApplicationName ??= "LiveHelp";
        builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout=5000".Trim();
        dataSource = NpgsqlDataSource.Create(builder);
    }

    private protected override string ForUpdate => " FOR UPDATE";

    private protected override string Kind => StoreTelemetry.Postgres;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct) => await dataSource.OpenConnectionAsync(ct);

    private protected override async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(ct);

    private protected override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    private protected override bool IsRetryable(DbException e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public void Dispose() => dataSource.Dispose();
}
