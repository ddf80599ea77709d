using LiveHelp.Core.Conversations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>A new database with the LiveHelp schema, and routing stores on it as the nodes sharing it open them.</summary>
public abstract class RoutingDatabase : IAsyncDisposable
{
    public abstract Task<SqlRoutingStore> OpenAsync(string nodeId);

    /// <summary>The conversation store on the same database (open a routing store first: it creates the database).</summary>
    public abstract IConversationStore Conversations { get; }

    public abstract Task ExecuteSqlAsync(string sql);

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteRoutingDatabase : RoutingDatabase
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "livehelp-tests", Guid.NewGuid().ToString("N"));
    private bool initialized;

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "livehelp.db") }.ToString();

    public override async Task<SqlRoutingStore> OpenAsync(string nodeId)
    {
        if (!initialized)
        {
            await new SqliteConversationStore(ConnectionString).InitializeAsync();
            initialized = true;
        }
        return new SqliteRoutingStore(ConnectionString, nodeId);
    }

    public override IConversationStore Conversations => new SqliteConversationStore(ConnectionString);

    public override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public override ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresRoutingDatabase(PostgresFixture postgres) : RoutingDatabase
{
    private readonly List<PostgresRoutingStore> stores = [];
    private string? schema;

    public override async Task<SqlRoutingStore> OpenAsync(string nodeId)
    {
        if (schema is null)
        {
            schema = await postgres.CreateSchemaAsync();
            await using var conversations = new PostgresConversationStore(schema);
            await conversations.InitializeAsync();
        }
        var store = new PostgresRoutingStore(schema, nodeId);
        stores.Add(store);
        return store;
    }

    public override IConversationStore Conversations => new PostgresConversationStore(Schema);

    public override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Schema);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string Schema => schema ?? throw new InvalidOperationException("Open a routing store first.");

    public override async ValueTask DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
        if (schema is not null)
        {
            await postgres.DropSchemaAsync(schema);
        }
    }
}
