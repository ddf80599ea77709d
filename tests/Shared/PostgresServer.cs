using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace LiveHelp.Testing;

/// <summary>
/// A real PostgreSQL server (Debian's postgresql 15) for one test run: a cluster made by initdb in a temporary
/// directory, listening on a free loopback port with fsync off, and a fresh database for whoever asks. PostgreSQL
/// refuses to run as root, so when the tests run as root the server runs as the postgres system user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>The cluster's superuser, who owns every database made here.</summary>
    public const string Superuser = "postgres";

    /// <summary>The system user that runs the server when the tests run as root.</summary>
    private const string SystemUser = "postgres";

    private readonly string _directory;
    private bool _running;
    private int _databases;

    private PostgresServer(string directory) => _directory = directory;

    public int Port { get; private set; }

    /// <summary>The superuser's password: logins over TCP need one, as in production.</summary>
    public string Password { get; } = Guid.NewGuid().ToString("N");

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "server.log");

    public static async Task<PostgresServer> StartAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException($"These tests need Debian's postgresql 15 in {BinDirectory}: run ./test.sh, which installs it.");
        }

        var server = new PostgresServer(Path.Combine(Path.GetTempPath(), "livehelp-postgres-" + Guid.NewGuid().ToString("N")));
        try
        {
            await server.CreateClusterAsync();
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/>, as the superuser.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Password={Password};Database={database}";

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "livehelp_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        await RunClientAsync("createdb", name);
        return ConnectionString(name);
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever connections it still has.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = (string)new DbConnectionStringBuilder { ConnectionString = connectionString }["Database"];
        await RunClientAsync("dropdb", "--force", "--if-exists", name);
    }

    /// <summary>
    /// Stops the server as an operator's restart would (sessions are ended, data kept); <see cref="StartAgainAsync"/>
    /// brings it back on the same port.
    /// </summary>
    public async Task StopAsync()
    {
        await RunServerToolAsync("pg_ctl", "--pgdata", DataDirectory, "--mode", "fast", "--wait", "stop");
        _running = false;
    }

    public async Task StartAgainAsync()
    {
        await RunServerToolAsync(
            "pg_ctl", "--pgdata", DataDirectory, "--log", LogFile, "--options", $"-p {Port}", "--wait", "--timeout", "60", "start");
        _running = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            _running = false;
            await RunServerToolAsync("pg_ctl", "--pgdata", DataDirectory, "--mode", "immediate", "--wait", "stop");
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task CreateClusterAsync()
    {
        Directory.CreateDirectory(_directory);
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["-R", $"{SystemUser}:", _directory]);
        }

        await RunServerToolAsync(
            "initdb", "--pgdata", DataDirectory, "--username", Superuser, "--pwfile", passwordFile,
            "--auth-local", "trust", "--auth-host", "scram-sha-256", "--encoding", "UTF8", "--no-locale", "--no-sync");
        File.Delete(passwordFile);

        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"),
        [
            "listen_addresses = '127.0.0.1'",
            $"unix_socket_directories = '{_directory}'",
            "max_connections = 300",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
        ]);
    }

    /// <summary>Starts the server on a free port, trying another port if the chosen one was taken in the meantime.</summary>
    private async Task StartProcessAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = LoopbackPort.Free();
            try
            {
                await RunServerToolAsync(
                    "pg_ctl", "--pgdata", DataDirectory, "--log", LogFile, "--options", $"-p {Port}", "--wait", "--timeout", "60", "start");
                _running = true;
                await RunClientAsync("psql", "--dbname", "postgres", "--quiet", "--command", "SELECT 1;");
                return;
            }
            catch (InvalidOperationException) when (attempt < 5 && ReadLog().Contains("could not bind", StringComparison.Ordinal))
            {
                await File.WriteAllTextAsync(LogFile, "");
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"PostgreSQL did not start on port {Port}: {e.Message}\n{ReadLog()}", e);
            }
        }
    }

    private string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>Runs initdb or pg_ctl: as the postgres system user when this process is root.</summary>
    private Task RunServerToolAsync(string tool, params string[] arguments)
    {
        var executable = Path.Combine(BinDirectory, tool);
        return Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", SystemUser, "--", executable, .. arguments])
            : RunAsync(executable, arguments);
    }

    /// <summary>Runs createdb, dropdb or psql against the server over TCP, as the superuser.</summary>
    private Task RunClientAsync(string tool, params string[] arguments) =>
        RunAsync(
            Path.Combine(BinDirectory, tool),
            ["--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--username", Superuser, "--no-password", .. arguments],
            ("PGPASSWORD", Password));

    private static async Task RunAsync(string executable, IEnumerable<string> arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(executable)} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await errors}{await output}");
        }
    }
}
