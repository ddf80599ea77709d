using LiveHelp.Core.Conversations;
using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence.Tests;

/// <summary>The report's figures on a SQLite file.</summary>
public sealed class SqliteReportStoreTests : ReportStoreBehaviour
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "livehelp-tests", Guid.NewGuid().ToString("N"));

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "livehelp.db") }.ToString();

    protected override async Task<IConversationStore> CreateStoreAsync()
    {
        var store = new SqliteConversationStore(ConnectionString);
        await store.InitializeAsync();
        return store;
    }

    public override Task DisposeAsync()
    {
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        return Task.CompletedTask;
    }
}
