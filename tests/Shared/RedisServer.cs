using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LiveHelp.Testing;

/// <summary>A real redis-server (Debian's package) on a free loopback port, with no persistence, for one test fixture.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";

    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"These tests need Debian's redis-server at {Executable}: run ./test.sh, which installs it.");
        }
        var server = new RedisServer(LoopbackPort.Free());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Kills the server and starts it again on the same port, empty: what a Redis restart looks like to clients.</summary>
    public async Task RestartAsync()
    {
        Kill();
        await StartProcessAsync();
    }

    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await PingAsync())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"redis-server did not answer on port {Port}");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
