using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Server.Tests;

/// <summary>The real LiveHelp server on Kestrel, on a free loopback port, with its own SQLite file.</summary>
public sealed class LiveHelpHost : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-tests";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _clock;
    private readonly Action<IServiceCollection>? _services;
    private WebApplication? _app;

    private LiveHelpHost(string dataDirectory, int port, Dictionary<string, string?> settings, TimeProvider? clock, Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        Port = port;
        _settings = settings;
        _clock = clock;
        _services = services;
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>The same server as a browser should see it: localhost is a secure context, as media capture needs.</summary>
    public Uri LocalhostUri => new($"http://localhost:{Port}");
    public IServiceProvider Services => _app!.Services;

    /// <summary>
    /// Starts a server; <paramref name="settings"/> are configuration keys (e.g. "LiveHelp:Routing:OfferTimeout");
    /// <paramref name="services"/> adds to the server's services (e.g. a logger provider).
    /// </summary>
    public static async Task<LiveHelpHost> StartAsync(
        IDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["LiveHelp:AdminPassword"] = AdminPassword,
            ["LiveHelp:ClockInterval"] = "00:00:00.05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        var directory = Path.Combine(Path.GetTempPath(), "livehelp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var host = new LiveHelpHost(directory, LoopbackPort.Free(), all, clock, services);
        await host.StartAppAsync();
        return host;
    }

    /// <summary>Stops the server and starts a new one on the same port and the same data, as an operator's restart would.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public HttpClient Http(string? token = null)
    {
        var http = new HttpClient { BaseAddress = BaseUri };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        return http;
    }

    public async Task<string> SignInAsync(string username, string password)
    {
        using var http = Http();
        var response = await http.PostAsJsonAsync("/api/auth/signin", new { username, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenAnswer>())!.Token;
    }

    /// <summary>An account created by the admin through the HTTP API, as an admin would.</summary>
    public async Task<string> CreateAgentAsync(string username, string[] skills, int maxConcurrent = 3, bool autoAccept = false, string role = "agent")
    {
        using var http = Http(await SignInAsync("admin", AdminPassword));
        var response = await http.PostAsJsonAsync("/api/agents", new
        {
            username,
            displayName = char.ToUpperInvariant(username[0]) + username[1..],
            password = Password(username),
            role,
            skills,
            maxConcurrent,
            autoAccept,
        });
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"creating {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<IdAnswer>())!.Id;
    }

    /// <summary>The admin disables the account through the HTTP API, as an admin would.</summary>
    public async Task DisableAgentAsync(string agentId)
    {
        using var http = Http(await SignInAsync("admin", AdminPassword));
        var response = await http.PutAsJsonAsync($"/api/agents/{agentId}", new { disabled = true });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"disabling {agentId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static string Password(string username) => username + "-password";

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite file still held by a pooled connection; the temp folder is cleaned by the OS.
        }
    }

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = DataDirectory, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.WebHost.UseUrls(LocalhostUri.ToString());
        builder.Logging.ClearProviders();
        if (_clock is not null)
        {
            builder.Services.AddSingleton(_clock);
        }
        _services?.Invoke(builder.Services);
        builder.AddLiveHelp();
        _app = builder.Build();
        _app.MapLiveHelp();
        await _app.StartAsync();
    }

    private async Task StopAppAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    private sealed record TokenAnswer(string Token);

    private sealed record IdAnswer(string Id);
}
