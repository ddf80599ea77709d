using LiveHelp.Core.Conversations;

namespace LiveHelp.Persistence.Tests;

/// <summary>The report's figures on a real PostgreSQL server, each test in a schema of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReportStoreTests(PostgresFixture postgres) : ReportStoreBehaviour
{
    private PostgresConversationStore? store;
    private string? schema;

    protected override async Task<IConversationStore> CreateStoreAsync()
    {
        schema = await postgres.CreateSchemaAsync();
        store = new PostgresConversationStore(schema);
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        if (store is not null)
        {
            await store.DisposeAsync();
        }
        if (schema is not null)
        {
            await postgres.DropSchemaAsync(schema);
        }
    }
}
