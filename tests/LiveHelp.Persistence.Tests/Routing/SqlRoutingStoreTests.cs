using LiveHelp.Core.Routing;
using LiveHelp.Core.Tests.Routing.Store;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>The shared routing store contract on a SQLite file.</summary>
public sealed class SqliteRoutingStoreTests : RoutingStoreBehaviour, IAsyncLifetime
{
    private readonly SqliteRoutingDatabase database = new();

    protected override async Task<IRoutingStore> CreateStoreAsync() => await database.OpenAsync("node-a");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await database.DisposeAsync();
}

/// <summary>The shared routing store contract on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRoutingStoreTests(PostgresFixture postgres) : RoutingStoreBehaviour, IAsyncLifetime
{
    private readonly PostgresRoutingDatabase database = new(postgres);

    protected override async Task<IRoutingStore> CreateStoreAsync() => await database.OpenAsync("node-a");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await database.DisposeAsync();
}

/// <summary>The race with every node its own store instance on one database, as separate processes would be.</summary>
public abstract class SqlRoutingRaceTests : RoutingRaceBehaviour, IAsyncLifetime
{
    protected abstract RoutingDatabase Database { get; }

    protected override async Task<IReadOnlyList<IRoutingStore>> CreateNodesAsync(int count)
    {
        var nodes = new List<IRoutingStore>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await Database.OpenAsync($"node-{i}"));
        }
        return nodes;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Database.DisposeAsync();
}

public sealed class SqliteRoutingRaceTests : SqlRoutingRaceTests
{
    protected override RoutingDatabase Database { get; } = new SqliteRoutingDatabase();
}

/// <summary>Each node has its own connection pool on the one PostgreSQL database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRoutingRaceTests(PostgresFixture postgres) : SqlRoutingRaceTests
{
    protected override RoutingDatabase Database { get; } = new PostgresRoutingDatabase(postgres);
}
