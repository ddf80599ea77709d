using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace LiveHelp.Browser.Tests;

/// <summary>Debian's coturn (turnserver), started by a test on loopback and stopped with it.</summary>
public sealed class Coturn : IAsyncDisposable
{
    public const string ServerPath = "/usr/bin/turnserver";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private Coturn(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// A TEST-ONLY configuration: relays between loopback addresses (allow-loopback-peers), which a production TURN
    /// server must never do. Credentials in LiveHelp's scheme (use-auth-secret).
    /// </summary>
    public static Task<Coturn> StartForTestsAsync(int port, string secret)
    {
        var directory = NewDirectory();
        var relayBase = 50000 + Random.Shared.Next(0, 90) * 100;
        var config = Path.Combine(directory, "turnserver.conf");
        File.WriteAllText(config, string.Join('\n',
            "# Test only: allows relaying to loopback peers. Never use in production.",
            "listening-ip=127.0.0.1",
            "relay-ip=127.0.0.1",
            $"listening-port={port}",
            $"min-port={relayBase}",
            $"max-port={relayBase + 99}",
            "use-auth-secret",
            $"static-auth-secret={secret}",
            "realm=livehelp-test",
            "fingerprint",
            "allow-loopback-peers",
            "no-tls",
            "no-dtls",
            "no-cli",
            $"pidfile={Path.Combine(directory, "turnserver.pid")}",
            "log-file=stdout",
            "simple-log",
            ""));
        return StartAsync(directory, port, ["-c", config]);
    }

    /// <summary>The shipped production configuration, with only the address, port, secret and pid file given on the command line.</summary>
    public static Task<Coturn> StartProductionAsync(string configFile, int port, string secret)
    {
        var directory = NewDirectory();
        return StartAsync(directory, port,
        [
            "-c", configFile,
            "--listening-ip", "127.0.0.1",
            "--relay-ip", "127.0.0.1",
            "--listening-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--static-auth-secret", secret,
            "--pidfile", Path.Combine(directory, "turnserver.pid"),
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private static string NewDirectory()
    {
        if (!File.Exists(ServerPath))
        {
            throw new InvalidOperationException($"The TURN tests need Debian's coturn at {ServerPath}: run ./test.sh, which installs it.");
        }
        var directory = Path.Combine(Path.GetTempPath(), "livehelp-coturn", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<Coturn> StartAsync(string directory, int port, string[] arguments)
    {
        var info = new ProcessStartInfo(ServerPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        var coturn = new Coturn(process, directory, port);
        process.OutputDataReceived += (_, e) => coturn.Append(e.Data);
        process.ErrorDataReceived += (_, e) => coturn.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready once it accepts TCP on its port (it listens on UDP and TCP alike).
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (process.HasExited)
            {
                var log = coturn.Log;
                await coturn.DisposeAsync();
                throw new InvalidOperationException("turnserver exited at once:\n" + log);
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return coturn;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
