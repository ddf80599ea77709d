using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

/// <summary>Calls whose arguments SignalR cannot bind never reach the hub; they are still refused with a code and change nothing.</summary>
public sealed class MalformedCallTests : ServerTest
{
    [Theory]
    [InlineData(HubWireFormat.MessagePack)]
    [InlineData(HubWireFormat.Json)]
    public async Task Arguments_of_the_wrong_type_are_refused_as_invalid_input_and_change_nothing(HubWireFormat format)
    {
        var options = FastReconnect;
        options.Format = format;
        await Host.CreateAgentAsync("ann", ["general"], 3, false, Roles.Agent);
        var agent = Track(await AgentClient.SignInAsync(Host.BaseUri, "ann", LiveHelpHost.Password("ann"), options));
        await agent.SetStatusAsync(AgentStatus.Online);
        var (customer, ann, id) = await ConversationAsync(agent, Track(await CustomerClient.ConnectAsync(Host.BaseUri, options: options)));
        await customer.SendMessageAsync(id, "Hello");
        var before = await StateAsync(ann, id);

        Func<Task>[] calls =
        [
            () => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, "m1", 5),
            () => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, new { id }, "m2", "an object for an id"),
            () => customer.Connection.InvokeAsync<Message>(Hub.Methods.SendMessage, id, "only two arguments"),
            () => customer.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, 1e20),
            () => customer.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, 1.5),
            () => customer.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, "abc"),
            () => customer.Connection.InvokeAsync(Hub.Methods.MarkRead, id, "all of them"),
            () => customer.Connection.InvokeAsync<RequestHelpResult>(Hub.Methods.RequestHelp, "general"),
            () => customer.Connection.InvokeAsync(Hub.Methods.Rate, id, "five", null),
            () => ann.Connection.InvokeAsync<Message>(Hub.Methods.AddNote, id, "n1", new[] { "a", "list" }),
            () => ann.Connection.InvokeAsync("NoSuchMethod", id),
        ];
        foreach (var call in calls)
        {
            var refused = await RefusedAsync(call);
            Assert.Equal(ErrorCodes.InvalidInput, refused.Code);
        }

        Assert.Equal(before, await StateAsync(ann, id));
        Assert.Equal(HubConnectionState.Connected, customer.State);
        Assert.Equal("Still here", (await customer.SendMessageAsync(id, "Still here")).Text);
    }

    [Fact]
    public async Task The_refusal_names_the_method_and_nothing_else_of_the_server()
    {
        var (customer, _, id) = await ConversationAsync(await AgentAsync("ann"));

        var refused = await RefusedAsync(() => customer.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, "abc"));

        Assert.Equal("invalid_input: the hub method 'Resume' cannot be called with these arguments", refused.ServerError);
    }

    [Fact]
    public async Task Raw_frames_with_a_lone_surrogate_the_wrong_argument_count_or_as_a_stream_are_refused_and_change_nothing()
    {
        var ann = await AgentAsync("ann");
        var (customer, _, id) = await ConversationAsync(ann);
        var waiting = await CustomerAsync();
        var before = await StateAsync(ann, id);
        await using var raw = await RawHub.ConnectAsync(Host.BaseUri, customer.Token!);
        await using var rawWaiting = await RawHub.ConnectAsync(Host.BaseUri, waiting.Token!);
        var quoted = JsonSerializer.Serialize(id);

        string?[] errors =
        [
            await raw.InvokeAsync(Hub.Methods.SendMessage, $"[{quoted}, \"m1\", \"half an emoji \\ud83d here\"]"),
            await raw.InvokeAsync(Hub.Methods.SendMessage, $"[{quoted}, \"\\udc00\", \"lone low surrogate as the id\"]"),
            await raw.InvokeAsync(Hub.Methods.SendMessage, $"[{quoted}, \"m2\", \"text\", \"one too many\"]"),
            await raw.InvokeAsync(Hub.Methods.SendMessage, "[]"),
            await raw.InvokeAsync(Hub.Methods.Resume, $"[{quoted}, 1e20]"),
            await raw.InvokeAsync(Hub.Methods.MarkRead, $"[{quoted}, -1.5e400]"),
            await raw.InvokeAsync(Hub.Methods.SendMessage, $"[{quoted}, \"m4\", \"as a stream\"]", asStream: true),
            await rawWaiting.InvokeAsync(Hub.Methods.RequestHelp, "[{\"topic\": \"general\", \"mode\": \"chat\", \"details\": \"\\ud800\"}]"),
            await rawWaiting.InvokeAsync(Hub.Methods.RequestHelp, "[\"general\"]"),
        ];

        Assert.All(errors, e => Assert.StartsWith("invalid_input: ", e));
        Assert.Equal(before, await StateAsync(ann, id));
        Assert.Empty(await waiting.MyConversationsAsync());
        Assert.Null(await raw.InvokeAsync(Hub.Methods.SendMessage, $"[{quoted}, \"m3\", \"whole emoji \\ud83d\\ude00\"]"));
        Assert.Equal("whole emoji \U0001F600", (await ann.ResumeAsync(id, 0)).Messages[^1].Text);
    }

    /// <summary>What the agent's side sees of the conversation and the queue, to compare before and after refused calls.</summary>
    private static async Task<string> StateAsync(AgentClient agent, string id) =>
        JsonSerializer.Serialize(await agent.Connection.InvokeAsync<ResumeResult>(Hub.Methods.Resume, id, 0L), Json.Options)
        + JsonSerializer.Serialize(await agent.GetQueueAsync(), Json.Options);
}
