using System.Diagnostics;

namespace LiveHelp.Testing;

/// <summary>
/// A LiveHelp server as its own process, the one built with the caller (same configuration), on a loopback port;
/// what it prints is kept for failure messages.
/// </summary>
public sealed class ServerProcess
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(50));
            }
        }
    }

    /// <summary>Starts the server with <paramref name="environment"/> (configuration keys as variables) and waits for /readyz.</summary>
    public static async Task<ServerProcess> StartAsync(int port, IReadOnlyDictionary<string, string> environment, TimeSpan patience)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var server = Path.Combine(RepositoryRoot(), "src", "LiveHelp.Server", "bin", configuration, "net10.0", "LiveHelp.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { server },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(server)!,
        };
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var node = new ServerProcess(port, Process.Start(start)!);
        node._process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        try
        {
            await WaitReadyAsync(new Uri(node.Uri, "/readyz"), patience);
        }
        catch (TimeoutException)
        {
            node.Kill();
            throw new TimeoutException($"the server on port {port} did not become ready:\n{node.Output}");
        }
        return node;
    }

    /// <summary>kill -9: no shutdown, no goodbye to anyone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public static async Task WaitReadyAsync(Uri readiness, TimeSpan patience)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(readiness)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{readiness} not ready within {patience}");
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHelp.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("LiveHelp.sln not found above " + AppContext.BaseDirectory);
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }
}
