using System.Globalization;
using Npgsql;

namespace LiveHelp.Persistence.Tests;

/// <summary>
/// One PostgreSQL server for the whole test run, shared by every class in <see cref="PostgresCollection"/>, with one
/// database in which each test gets a schema of its own: a new schema is milliseconds, a new database a second.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? server;
    private string? database;
    private int schemas;

    public PostgresServer Server => server ?? throw new InvalidOperationException("The PostgreSQL server is not started yet.");

    public async Task InitializeAsync()
    {
        server = await PostgresServer.StartAsync();
        database = await server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// Creates an empty schema and returns a connection string whose search path is that schema alone: to the store,
    /// a new database. Pools stay small, so that racing tests queue for connections rather than open a hundred.
    /// </summary>
    public async Task<string> CreateSchemaAsync()
    {
        var name = "store_" + Interlocked.Increment(ref schemas).ToString(CultureInfo.InvariantCulture);
        await ExecuteAsync($"CREATE SCHEMA {name};");
        return new NpgsqlConnectionStringBuilder(database) { SearchPath = name, MaxPoolSize = 20 }.ToString();
    }

    public Task DropSchemaAsync(string connectionString) =>
        ExecuteAsync($"DROP SCHEMA {new NpgsqlConnectionStringBuilder(connectionString).SearchPath} CASCADE;");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL server";
}
