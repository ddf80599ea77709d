using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>A new database with the LiveHelp schema, and routing stores on it as the nodes sharing it open them.</summary>
public abstract class RoutingDatabase : IAsyncDisposable
{
    public abstract Task<SqlRoutingStore> OpenAsync(string nodeId);

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
