using LiveHelp.Core;
using LiveHelp.Core.Accounts;
using LiveHelp.Core.Conversations;
using Npgsql;

namespace LiveHelp.Persistence.Tests;

/// <summary>
/// The shared store behaviour on a real PostgreSQL server, each test in a schema of its own (to the store, a new
/// database), plus what only the PostgreSQL store promises.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConversationStoreTests(PostgresFixture postgres) : ConversationStoreBehaviour
{
    private readonly List<PostgresConversationStore> stores = [];
    private readonly List<string> databases = [];
    private string? schema;

    private PostgresServer Server => postgres.Server;

    /// <summary>Where <see cref="ConversationStoreBehaviour.Store"/> keeps its tables.</summary>
    private string ConnectionString => schema ?? throw new InvalidOperationException("No schema yet.");

    protected override async Task<IConversationStore> CreateStoreAsync()
    {
        schema = await postgres.CreateSchemaAsync();
        var store = Open(schema);
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IConversationStore> OpenSameDatabaseAsync()
    {
        var store = Open(ConnectionString);
        await store.InitializeAsync();
        return store;
    }

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = await OpenRawAsync(ConnectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<IAsyncDisposable> HoldWritesAsync(string conversationId)
    {
        var connection = await OpenRawAsync(ConnectionString);
        var transaction = await connection.BeginTransactionAsync();
        // Appends number messages on the conversation row: its lock holds them back.
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM conversations WHERE id = @id FOR UPDATE;", connection, transaction))
        {
            hold.Parameters.AddWithValue("id", conversationId);
            await hold.ExecuteNonQueryAsync();
        }
        return new Held(transaction, connection);
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        if (schema is not null)
        {
            await postgres.DropSchemaAsync(schema);
        }

        foreach (var database in databases)
        {
            await Server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task SixNewInstancesInitialisingANewDatabaseAtOnce_AllSucceed_AndMigrateOnce()
    {
        // Several rounds, as one round of racers may happen not to overlap.
        for (var round = 0; round < 3; round++)
        {
            var connectionString = await Server.CreateDatabaseAsync();
            databases.Add(connectionString);
            var racers = Enumerable.Range(0, 6).Select(_ => Open(connectionString)).ToArray();

            await Task.WhenAll(racers.Select(s => Task.Run(() => s.InitializeAsync())));

            Assert.Equal("v", await racers[0].GetOrAddSettingAsync("k", "v"));
            Assert.Equal("v", await racers[5].GetOrAddSettingAsync("k", "w"));
            await using var connection = await OpenRawAsync(connectionString);
            Assert.Equal(Enumerable.Range(1, PostgresSchema.LatestVersion), await ColumnAsync<int>(connection, "SELECT version FROM schema_version ORDER BY version;"));
        }
    }

    [Fact]
    public async Task TimestampsAreStoredAsUtcTicksAndOffsetMinutes()
    {
        await Store.AddVisitorAsync(new Visitor { Id = "v-1", CreatedAt = T0 });
        await using var connection = await OpenRawAsync(ConnectionString);

        Assert.Equal([T0.UtcTicks], await ColumnAsync<long>(connection, "SELECT created_at FROM visitors;"));
        Assert.Equal([330], await ColumnAsync<int>(connection, "SELECT created_at_offset FROM visitors;"));
    }

    [Fact]
    public async Task ASchemaNewerThanThisBuild_IsRefusedWithAClearError()
    {
        await using (var connection = await OpenRawAsync(ConnectionString))
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO schema_version (version) VALUES ({PostgresSchema.LatestVersion + 1});", connection);
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(ConnectionString).InitializeAsync());

        Assert.Contains($"version {PostgresSchema.LatestVersion + 1}, newer than this build knows", error.Message);
    }

    [Fact]
    public async Task AppendsFromTwoNodes_RacingUpdatesAndReadMarks_StayGapFree_AndLeaveTheVersionAlone()
    {
        const int appends = 100;
        const int updates = 20;
        await AddConversationAsync();
        // Read marks stop at the last message, so the messages they mark are there before the race.
        await AppendMessagesAsync("c-1", updates);
        var other = await OpenSameDatabaseAsync();

        var appending = Task.WhenAll(Enumerable.Range(0, appends).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : other).AppendMessageAsync(NewMessage("c-1", $"sender-{i % 3}", $"client-{i}")))));
        var updating = Task.Run(async () =>
        {
            for (var i = 1; i <= updates; i++)
            {
                Conversation? updated;
                do
                {
                    var copy = (await other.FindConversationAsync("c-1"))!;
                    updated = await other.TryUpdateConversationAsync(copy with { AgentName = $"agent {i}" });
                }
                while (updated is null);

                await Store.MarkReadAsync("c-1", byCustomer: i % 2 == 0, i);
            }
        });
        await Task.WhenAll(appending, updating);

        Assert.Equal(Enumerable.Range(updates + 1, appends).Select(i => (long)i), (await appending).Select(r => r.Message.Seq).Order());
        var stored = await Store.ReadMessagesAsync("c-1", 0, updates + appends + 10);
        Assert.Equal(Enumerable.Range(1, updates + appends).Select(i => (long)i), stored.Select(m => m.Seq));
        var conversation = await Store.FindConversationAsync("c-1");
        Assert.Equal(updates, conversation?.Version);
        Assert.Equal($"agent {updates}", conversation?.AgentName);
        Assert.Equal(updates, conversation?.CustomerReadSeq);
        Assert.Equal(updates - 1, conversation?.AgentReadSeq);
    }

    /// <summary>SQLite keeps U+0000 and turns a lone surrogate into U+FFFD; PostgreSQL can store neither.</summary>
    [Theory]
    [InlineData(0x0000)]
    [InlineData(0xD800)]
    public async Task TextPostgresCannotHold_IsRefusedAsInvalidInput_AndTheStoreCarriesOn(int character)
    {
        var text = $"a{(char)character}b";
        await AddConversationAsync();

        var append = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AppendMessageAsync(NewMessage("c-1", "v-1", "client-1") with { Text = text }));
        var visitor = await Assert.ThrowsAsync<LiveHelpException>(
            () => Store.AddVisitorAsync(new Visitor { Id = "v-2", Name = text, CreatedAt = T0 }));
        var find = await Assert.ThrowsAsync<LiveHelpException>(() => Store.FindAgentByUsernameAsync(text));

        Assert.Equal(ErrorCodes.InvalidInput, append.Code);
        Assert.Equal(ErrorCodes.InvalidInput, visitor.Code);
        Assert.Equal(ErrorCodes.InvalidInput, find.Code);
        var (message, added) = await Store.AppendMessageAsync(NewMessage("c-1", "v-1", "client-1"));
        Assert.True(added);
        Assert.Equal(1, message.Seq);
        Assert.Null(await Store.FindVisitorAsync("v-2"));
    }

    [Fact]
    public async Task InitializeAsync_NoServerOnThePort_FailsNamingWhereButNotThePassword()
    {
        var port = LoopbackPort.Free();
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var store = Open($"Host=127.0.0.1;Port={port};Username=livehelp;Password={secret};Database=livehelp;Timeout=5");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync());

        Assert.Contains($"Could not connect to PostgreSQL at 127.0.0.1:{port} (database 'livehelp', user 'livehelp')", error.Message);
        Assert.DoesNotContain(secret, error.ToString());
    }

    [Fact]
    public async Task InitializeAsync_WrongPassword_FailsSayingSoButNotThePassword()
    {
        var secret = "wrong-" + Guid.NewGuid().ToString("N");
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = secret }.ToString();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(connectionString).InitializeAsync());

        Assert.Contains("password authentication failed", error.Message);
        Assert.DoesNotContain(secret, error.ToString());
        Assert.DoesNotContain(Server.Password, error.ToString());
    }

    [Fact]
    public async Task InitializeAsync_UnknownDatabase_FailsNamingIt()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "no_such_database" }.ToString();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Open(connectionString).InitializeAsync());

        Assert.Contains("database \"no_such_database\" does not exist", error.Message);
        Assert.DoesNotContain(Server.Password, error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Database=livehelp;Username=livehelp;Password=hunter2")]
    [InlineData("Host=db;Port=not-a-number;Password=hunter2")]
    [InlineData("Host=db;Colour=blue;Password=hunter2")]
    [InlineData("Host=db;Password=half;hunter2=other-half")]
    [InlineData("Host=db;Password=half;hunter2")]
    [InlineData("this is not a connection string")]
    public void AMalformedConnectionString_IsRefusedAtOnce_WithoutQuotingAnyValue(string connectionString)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new PostgresConversationStore(connectionString));

        Assert.DoesNotContain("hunter2", error.ToString());
    }

    private PostgresConversationStore Open(string connectionString)
    {
        var store = new PostgresConversationStore(connectionString);
        stores.Add(store);
        return store;
    }

    private static async Task<NpgsqlConnection> OpenRawAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<List<T>> ColumnAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private sealed class Held(NpgsqlTransaction transaction, NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
