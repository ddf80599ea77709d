using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using Microsoft.Data.Sqlite;

namespace LiveHelp.Persistence.Tests;

/// <summary>The shared store behaviour on a SQLite file, plus what only the SQLite store promises.</summary>
public sealed class SqliteConversationStoreTests : ConversationStoreBehaviour
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "livehelp-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(directory, "data", "livehelp.db");

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = DatabasePath }.ToString();

    protected override async Task<IConversationStore> CreateStoreAsync()
    {
        var store = new SqliteConversationStore(ConnectionString);
        await store.InitializeAsync();
        return store;
    }

    protected override Task<IConversationStore> OpenSameDatabaseAsync() => CreateStoreAsync();

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<IAsyncDisposable> HoldWritesAsync(string conversationId)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        // SQLite has one writer: an open write transaction holds back every other.
        var transaction = connection.BeginTransaction(deferred: false);
        return new Held(transaction, connection);
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

    [Fact]
    public void InitializeAsync_CreatedTheMissingDirectoryAndTheFile()
    {
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task TheDatabaseIsInWalMode_AndRecordsItsSchemaVersion()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();

        Assert.Equal("wal", await ScalarAsync<string>(connection, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteSchema.LatestVersion, await ScalarAsync<long>(connection, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT COUNT(*) FROM schema_version WHERE version = 1;"));
    }

    [Fact]
    public async Task TheHistoryMigration_IndexesWhatWasStoredBeforeIt()
    {
        await Store.AddConversationAsync(NewConversation("c-old") with { PreQualification = new PreQualification { Details = "Parcel never came" } });
        await Store.AppendMessageAsync(NewMessage("c-old", "v-c-old", null) with { Text = "I want a refund" });
        await Store.AddOfflineMessageAsync(new OfflineMessage { Id = "o-1", VisitorId = "v-c-old", Text = "Kettle is broken" });
        // As a database written before the index existed: no index rows, no triggers, version 6.
        await ExecuteSqlAsync("""
            DROP TABLE history_text; DROP TRIGGER history_text_messages; DROP TRIGGER history_text_details;
            DROP TRIGGER history_text_offline_messages; DELETE FROM schema_version WHERE version > 6;
            """);

        var store = await OpenSameDatabaseAsync();

        foreach (var word in new[] { "refund", "parcel", "kettle" })
        {
            Assert.Equal("c-old", Assert.Single((await store.SearchHistoryAsync(new HistoryQuery { Text = word })).Entries).Conversation.Id);
        }
    }

    [Fact]
    public async Task TimestampsAreStoredAsUtcTicksAndOffsetMinutes()
    {
        await Store.AddVisitorAsync(new Visitor { Id = "v-1", CreatedAt = T0 });
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(T0.UtcTicks, await ScalarAsync<long>(connection, "SELECT created_at FROM visitors;"));
        Assert.Equal(330L, await ScalarAsync<long>(connection, "SELECT created_at_offset FROM visitors;"));
    }

    [Fact]
    public async Task MarkupInJsonColumns_IsKeptReadable()
    {
        await Store.AddConversationAsync(NewConversation("c-1") with
        {
            PreQualification = new PreQualification { Details = "<b>&'\"</b>" },
        });
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();

        var json = await ScalarAsync<string>(connection, "SELECT pre_qualification FROM conversations;");

        Assert.Equal("{\"details\":\"<b>&'\\\"</b>\"}", json);
    }

    [Fact]
    public async Task FourNewInstancesInitialisingAFreshFileAtOnce_AllSucceed()
    {
        var path = Path.Combine(directory, "fresh", "race.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        var stores = Enumerable.Range(0, 4).Select(_ => new SqliteConversationStore(connectionString)).ToArray();

        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync())));

            Assert.Equal("v", await stores[0].GetOrAddSettingAsync("k", "v"));
            Assert.Equal("v", await stores[3].GetOrAddSettingAsync("k", "w"));
        }
        finally
        {
            using var connection = new SqliteConnection(connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=")]
    [InlineData("")]
    public void AnInMemoryOrMissingDatabase_IsRefused(string connectionString)
    {
        Assert.ThrowsAny<ArgumentException>(() => new SqliteConversationStore(connectionString));
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private sealed class Held(SqliteTransaction transaction, SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
