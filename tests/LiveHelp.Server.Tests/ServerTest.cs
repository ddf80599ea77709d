using System.Net.Http.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHelp.Server.Tests;

/// <summary>A real server per test class instance, and helpers to bring in customers and agents as real clients.</summary>
public abstract class ServerTest : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _clients = [];

    protected LiveHelpHost Host { get; private set; } = null!;

    /// <summary>LiveHelp configuration for this test class.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected virtual TimeProvider? Clock => null;

    /// <summary>Receives what the server logs, for tests about its log.</summary>
    protected virtual Microsoft.Extensions.Logging.ILoggerProvider? Logs => null;

    public virtual async Task InitializeAsync() => Host = await LiveHelpHost.StartAsync(Settings, Clock, services: s =>
    {
        if (Logs is { } logs)
        {
            s.AddSingleton(logs);
        }
    });

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await Host.DisposeAsync();
    }

    protected static HubConnectionOptions FastReconnect => new() { ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200)] };

    /// <summary>An agent account created by the admin, signed in, and online unless told otherwise.</summary>
    protected async Task<AgentClient> AgentAsync(
        string username, string[]? skills = null, int maxConcurrent = 3, bool autoAccept = false, string role = Roles.Agent,
        AgentStatus status = AgentStatus.Online)
    {
        await Host.CreateAgentAsync(username, skills ?? ["general"], maxConcurrent, autoAccept, role);
        return await SignInAsync(username, status);
    }

    protected async Task<AgentClient> SignInAsync(string username, AgentStatus status = AgentStatus.Online)
    {
        var agent = Track(await AgentClient.SignInAsync(Host.BaseUri, username, LiveHelpHost.Password(username), FastReconnect));
        if (status != AgentStatus.Offline)
        {
            await agent.SetStatusAsync(status);
        }
        return agent;
    }

    protected async Task<CustomerClient> CustomerAsync(VisitorIdentity? identity = null) =>
        Track(await CustomerClient.ConnectAsync(Host.BaseUri, identity, FastReconnect));

    protected T Track<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }

    protected static RequestHelpInput Help(string topic = "general", string details = "My order has not arrived", HelpMode mode = HelpMode.Chat) =>
        new() { Topic = topic, Details = details, Mode = mode };

    /// <summary>A customer who asked for help and the agent who accepted it.</summary>
    protected async Task<(CustomerClient Customer, AgentClient Agent, string ConversationId)> ConversationAsync(
        AgentClient agent, CustomerClient? customer = null, RequestHelpInput? input = null)
    {
        var offers = new Inbox<OfferNotice>(h => agent.OfferReceived += h);
        customer ??= await CustomerAsync();
        var joined = new Inbox<AgentJoined>(h => customer.AgentJoined += h);
        var result = await customer.RequestHelpAsync(input ?? Help());
        var id = result.Conversation!.Id;
        await offers.NextAsync(o => o.ConversationId == id);
        await agent.AcceptOfferAsync(id);
        await joined.NextAsync(j => j.ConversationId == id);
        return (customer, agent, id);
    }

    /// <summary>An agent as the admin's agent list shows them.</summary>
    protected async Task<ListedAgent> ListedAgentAsync(string username)
    {
        using var http = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));
        var agents = await http.GetFromJsonAsync<List<ListedAgent>>("/api/agents", Json.Options);
        return agents!.Single(a => a.Username == username);
    }

    protected static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Inbox<object>.Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// A call made just after the store is back may still meet a connection the restart broke; clients try again.
    /// </summary>
    protected static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (LiveHelpHubException e) when (e.Code == ErrorCodes.Unavailable && attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    protected static Task EventuallyAsync(Func<Task> call) => EventuallyAsync(async () =>
    {
        await call();
        return true;
    });

    protected static async Task<LiveHelpHubException> RefusedAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<LiveHelpHubException>(call);
        return error;
    }

    protected sealed record ListedAgent(string Id, string Username, AgentStatus Status, int Load, bool Connected);
}
