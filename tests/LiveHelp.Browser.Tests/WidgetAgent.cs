using System.Threading.Channels;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Tests;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// An agent on the .NET SDK, answering the customer in the browser: the official JavaScript client and
/// LiveHelp.Client in one conversation. Collects what the agent receives so a test can wait for it.
/// </summary>
public sealed class WidgetAgent : IAsyncDisposable
{
    public static readonly string[] AllSkills = ["general", "billing", "technical", "device"];
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly Channel<OfferNotice> _offers = Channel.CreateUnbounded<OfferNotice>();
    private readonly List<Message> _messages = [];
    private readonly List<TypingNotice> _typing = [];

    private WidgetAgent(AgentClient client)
    {
        Client = client;
        client.OfferReceived += (_, offer) => _offers.Writer.TryWrite(offer);
        client.MessageReceived += (_, message) =>
        {
            lock (_messages)
            {
                _messages.Add(message);
            }
        };
        client.Typing += (_, notice) =>
        {
            lock (_typing)
            {
                _typing.Add(notice);
            }
        };
    }

    public AgentClient Client { get; }

    /// <summary>Creates the account (all topics' skills), signs in through the SDK and goes online.</summary>
    public static async Task<WidgetAgent> OnlineAsync(LiveHelpHost host, string username, bool autoAccept = false)
    {
        await host.CreateAgentAsync(username, AllSkills, maxConcurrent: 3, autoAccept: autoAccept);
        var client = await AgentClient.SignInAsync(host.BaseUri, username, LiveHelpHost.Password(username));
        var agent = new WidgetAgent(client);
        await client.SetStatusAsync(AgentStatus.Online);
        return agent;
    }

    public async Task<OfferNotice> NextOfferAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _offers.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Waits for the next offer and accepts it.</summary>
    public async Task<ConversationView> AcceptNextAsync()
    {
        var offer = await NextOfferAsync();
        return await Client.AcceptOfferAsync(offer.ConversationId);
    }

    public Task<Message> MessageAsync(string text) => WaitAsync(() => Find(_messages, m => m.Text == text), $"a message \"{text}\"");

    public Task<TypingNotice> TypingAsync(bool isTyping) =>
        WaitAsync(() => Find(_typing, t => t.Role == "customer" && t.IsTyping == isTyping), $"customer typing={isTyping}");

    public IReadOnlyList<Message> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private static T? Find<T>(List<T> list, Func<T, bool> match)
        where T : class
    {
        lock (list)
        {
            return list.FirstOrDefault(match);
        }
    }

    private static async Task<T> WaitAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        var until = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < until)
        {
            if (probe() is { } found)
            {
                return found;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the agent did not receive {what} within {Patience}");
    }
}
