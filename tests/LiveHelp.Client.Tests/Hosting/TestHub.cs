using System.Text;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace LiveHelp.Client.Tests.Hosting;

public sealed class TestHub(ServerLog log) : Microsoft.AspNetCore.SignalR.Hub
{
    public override Task OnConnectedAsync()
    {
        log.OnConnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        log.OnDisconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public string Echo(string text) => text;

    public StatusChanged EchoStatus(StatusChanged status) => status;

    public ConversationView EchoView(ConversationView view) => view;

    /// <summary>The argument exactly as it arrived on the wire.</summary>
    public string Raw(JsonElement argument) => argument.GetRawText();

    public int Sum(int a, int b, int c) => a + b + c;

    public void Bad() => throw new HubException("bad_thing: explained");

    public void Plain() => throw new HubException("nothing to parse here");

    public void Crash() => throw new InvalidOperationException("secret detail");

    public async Task Burst(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Clients.Caller.SendAsync("tick", i);
        }
    }

    public async Task Shout(string group, string text)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        await Clients.Group(group).SendAsync("shout", text);
    }

    public async Task JoinGroup(string group) => await Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task CallMeBack(string reason) => Clients.Caller.SendAsync("status", new StatusChanged(AgentStatus.Away, reason));

    public async Task<int> Slow(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return milliseconds;
    }

    public void Abort() => Context.Abort();

    /// <summary>Tears the transport down with no close message, like a crashed node or a cut network.</summary>
    public void Drop() => Context.GetHttpContext()!.Abort();

    /// <summary>A long string with multi-byte characters, so records span frames and characters span reads.</summary>
    public string Big(int repeat)
    {
        var builder = new StringBuilder(repeat * 4);
        for (var i = 0; i < repeat; i++)
        {
            builder.Append("aé€😀");
        }
        return builder.ToString();
    }

    public int Length(string text) => text.Length;

    /// <summary>The token that came with the WebSocket request (the access_token query value).</summary>
    public string? AccessToken() => Context.GetHttpContext()?.Request.Query["access_token"].ToString();

    public string? AuthorizationHeader() => Context.GetHttpContext()?.Request.Headers.Authorization.ToString();
}
