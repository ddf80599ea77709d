using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence;

/// <summary>
/// Opens pooled connections to one SQLite database file, each prepared with the per-connection settings
/// (busy timeout, foreign keys) that the store relies on.
/// </summary>
internal sealed class SqliteConnectionFactory
{
    // One writer at a time per file, queued here asynchronously: SQLite's own busy handler would put pool threads to sleep.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim writeGate;
    private readonly string connectionString;
    private readonly string setupSql;

    public SqliteConnectionFactory(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory
            || string.IsNullOrWhiteSpace(builder.DataSource)
            || builder.DataSource.Equals(":memory:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                "The SQLite store needs a database file (e.g. 'Data Source=/var/lib/livehelp/livehelp.db'): "
                + "every operation opens its own connection, so an in-memory database would not persist.",
                nameof(connectionString));
        }

        this.connectionString = builder.ToString();
        DataSource = builder.DataSource;
        writeGate = WriteGates.GetOrAdd(
            DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? DataSource : Path.GetFullPath(DataSource),
            _ => new SemaphoreSlim(1, 1));
        var busyTimeoutMs = builder.DefaultTimeout <= 0
            ? int.MaxValue
            : (int)Math.Min(int.MaxValue, builder.DefaultTimeout * 1000L);
        // In WAL mode NORMAL still survives a crash of the process; only an OS crash can lose the last commits, and it
        // saves an fsync per message, which on one node was most of the time to agent.
        setupSql = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
    }

    /// <summary>The database file as given in the connection string.</summary>
    public string DataSource { get; }

    /// <summary>Creates the folder of the database file when it is a plain path and the folder is missing.</summary>
    public void EnsureDirectoryExists()
    {
        if (DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || DataSource.StartsWith('|'))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>Waits for this process's turn to write to the file; disposing the result gives the turn up.</summary>
    public async Task<IDisposable> EnterWriteAsync(CancellationToken ct)
    {
        await writeGate.WaitAsync(ct);
        return new Turn(writeGate);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var setup = connection.Command(setupSql);
            await setup.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
