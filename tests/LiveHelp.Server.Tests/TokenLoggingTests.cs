using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHelp.Server.Tests;

/// <summary>Hub clients put their token in the URL; no log line, at any level, may carry it.</summary>
public sealed class TokenLoggingTests
{
    private const string Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e";

    [Fact]
    public async Task Access_tokens_reach_no_log_entry_over_any_transport()
    {
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" };
        string[] tokens;
        await using (var host = await LiveHelpHost.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(logs)))
        {
            await host.CreateAgentAsync("ann", ["general"]);
            var agentToken = await host.SignInAsync("ann", LiveHelpHost.Password("ann"));
            using var http = host.Http();
            var visitor = await (await http.PostAsJsonAsync("/api/visitors", new { })).Content.ReadFromJsonAsync<JsonElement>();
            var visitorToken = visitor.GetProperty("token").GetString()!;
            tokens = [agentToken, visitorToken];

            // The SDK over WebSockets (token in the query and the header), an agent and a customer.
            await using (var ann = new AgentClient(host.BaseUri))
            await using (var customer = await CustomerClient.ConnectWithTokenAsync(host.BaseUri, visitorToken))
            {
                await ann.StartWithTokenAsync(agentToken);
                await ann.SetStatusAsync(AgentStatus.Online);
                await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general", Details = "hello" });
            }

            // As a browser does it: WebSocket and EventSource with the token in the query only; long polling too.
            await WebSocketAsync(host, agentToken);
            await ServerSentEventsAsync(host, agentToken);
            await LongPollingAsync(host, visitorToken);

            // Plain HTTP: the header, and a token wrongly put in an API query.
            using var staff = host.Http(agentToken);
            Assert.True((await staff.GetAsync("/api/agents")).IsSuccessStatusCode);
            Assert.True((await http.GetAsync($"/api/status?access_token={agentToken}")).IsSuccessStatusCode);
        }

        var entries = logs.Entries.ToList();
        Assert.Contains(entries, e => e.Contains("Request starting", StringComparison.Ordinal) && e.Contains("/hub?id=", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var signature = token.Split('.')[1];
            Assert.DoesNotContain(entries, e => e.Contains(signature, StringComparison.Ordinal));
        }
    }

    private static async Task WebSocketAsync(LiveHelpHost host, string token)
    {
        var id = await NegotiateAsync(host, token);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Port}/hub?id={id}&access_token={token}"), default);
        await socket.SendAsync(Encoding.UTF8.GetBytes(Handshake), WebSocketMessageType.Text, true, default);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, default);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }

    private static async Task ServerSentEventsAsync(LiveHelpHost host, string token)
    {
        var id = await NegotiateAsync(host, token);
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hub?id={id}&access_token={token}");
        request.Headers.Accept.Add(new("text/event-stream"));
        using var events = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(events.IsSuccessStatusCode, $"{events.StatusCode}");
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.True((await http.PostAsync($"/hub?id={id}&access_token={token}", new StringContent(Handshake))).IsSuccessStatusCode);
        string? line;
        do
        {
            line = await reader.ReadLineAsync();
        }
        while (line is not null && !line.StartsWith("data: {}", StringComparison.Ordinal));
        Assert.NotNull(line);
    }

    private static async Task LongPollingAsync(LiveHelpHost host, string token)
    {
        var id = await NegotiateAsync(host, token);
        using var http = host.Http();
        // The first poll only opens the connection.
        Assert.True((await http.GetAsync($"/hub?id={id}&access_token={token}")).IsSuccessStatusCode);
        Assert.True((await http.PostAsync($"/hub?id={id}&access_token={token}", new StringContent(Handshake))).IsSuccessStatusCode);
        var poll = await http.GetAsync($"/hub?id={id}&access_token={token}");
        Assert.True(poll.IsSuccessStatusCode, $"{poll.StatusCode}");
        Assert.StartsWith("{}\u001e", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await http.DeleteAsync($"/hub?id={id}&access_token={token}")).IsSuccessStatusCode);
    }

    /// <summary>The negotiate call carries the header, as the JavaScript client sends it.</summary>
    private static async Task<string> NegotiateAsync(LiveHelpHost host, string token)
    {
        using var http = host.Http(token);
        var response = await http.PostAsync("/hub/negotiate?negotiateVersion=1", null);
        Assert.True(response.IsSuccessStatusCode, $"negotiate: {response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString()!;
    }

    /// <summary>Every log entry of every category and level: message, exception, structured values and scopes.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"))
            : state?.ToString() ?? "";

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                capture.Entries.Enqueue($"{category} scope {Describe(state)}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture.Entries.Enqueue($"{logLevel} {category} {formatter(state, exception)} {exception} {Describe(state)}");
        }
    }
}
