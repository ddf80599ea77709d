using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Persistence.Tests.Routing;

/// <summary>A database from before the routing tables: upgrading it gives every account its seat and its conversations back.</summary>
public abstract class RoutingMigrationBehaviour : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    protected abstract RoutingDatabase Database { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Database.DisposeAsync();

    [Fact]
    public async Task Every_account_gets_an_offline_seat_holding_its_active_conversations_with_the_grace_period_running()
    {
        var routing = await Database.OpenAsync("a");
        var store = Database.Conversations;
        await store.TryAddAgentAsync(new AgentAccount
        {
            Id = "ann",
            Username = "ann",
            DisplayName = "Ann",
            PasswordHash = "x",
            Role = Roles.Agent,
            Skills = ["billing", "tech"],
            MaxConcurrent = 2,
        });
        await store.TryAddAgentAsync(new AgentAccount { Id = "bob", Username = "bob", DisplayName = "Bob", PasswordHash = "x", Role = Roles.Agent });
        await store.AddConversationAsync(new Conversation
        {
            Id = "c1",
            VisitorId = "v1",
            Topic = "billing",
            Status = ConversationStatus.Active,
            AgentId = "ann",
            AgentName = "Ann",
            CreatedAt = T0,
            EnqueuedAt = T0,
        });
        await store.AddConversationAsync(new Conversation { Id = "c2", VisitorId = "v2", Topic = "billing", Status = ConversationStatus.Queued, CreatedAt = T0, EnqueuedAt = T0 });
        await Database.ExecuteSqlAsync("""
            DROP TABLE routing_seats; DROP TABLE routing_nodes; DROP TABLE routing_connections;
            DROP TABLE routing_requests; DROP TABLE routing_passed_over; DROP TABLE routing_holds;
            DROP TABLE attachments; ALTER TABLE messages DROP COLUMN attachment;
            DROP TABLE customer_connections; ALTER TABLE conversations DROP COLUMN customer_presence;
            ALTER TABLE conversations DROP COLUMN customer_presence_at; ALTER TABLE conversations DROP COLUMN customer_presence_at_offset;
            ALTER TABLE conversations DROP COLUMN customer_left_told;
            DELETE FROM schema_version WHERE version > 2;
            """);

        await store.InitializeAsync();

        var ann = (await routing.FindSeatAsync("ann"))!;
        Assert.Equal((AgentStatus.Offline, 0, 2), (ann.Status, ann.Connections, ann.Profile.MaxConcurrent));
        Assert.Equal(["billing", "tech"], ann.Profile.Skills);
        Assert.Equal(["c1"], ann.Conversations);
        Assert.NotNull(ann.DisconnectedAt);
        Assert.Empty((await routing.FindSeatAsync("bob"))!.Conversations);
        Assert.Empty(await routing.ListQueueAsync());
        // Their customers count as here since the conversations began.
        var c1 = (await store.FindConversationAsync("c1"))!;
        Assert.Equal((CustomerPresence.Here, T0), (c1.Presence, c1.PresenceSince));
    }
}

public sealed class SqliteRoutingMigrationTests : RoutingMigrationBehaviour
{
    protected override RoutingDatabase Database { get; } = new SqliteRoutingDatabase();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRoutingMigrationTests(PostgresFixture postgres) : RoutingMigrationBehaviour
{
    protected override RoutingDatabase Database { get; } = new PostgresRoutingDatabase(postgres);
}
