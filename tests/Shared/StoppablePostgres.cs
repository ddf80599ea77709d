namespace LiveHelp.Testing;

/// <summary>A class fixture: a PostgreSQL server of a test class's own, for tests that stop it and start it again.</summary>
public sealed class StoppablePostgres : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL is not started yet.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
