using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Cluster.Tests;

/// <summary>A file sent through one node is kept in PostgreSQL, so the other node shows and serves it.</summary>
public sealed class AttachmentClusterTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_photo_sent_through_one_node_reaches_the_agent_on_the_other_who_fetches_it_there()
    {
        await _cluster.CreateAgentAsync("ann", ["general"]);
        await using var ann = await AgentClient.SignInAsync(_cluster.Nodes[1].Uri, "ann", "ann-password", Cluster.ClientOptions);
        await ann.SetStatusAsync(AgentStatus.Online);
        var offered = new TaskCompletionSource<OfferNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.OfferReceived += (_, o) => offered.TrySetResult(o);
        var received = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        ann.MessageReceived += (_, m) =>
        {
            if (m.Attachment is not null)
            {
                received.TrySetResult(m);
            }
        };
        await using var customer = await CustomerClient.ConnectAsync(_cluster.Nodes[0].Uri, options: Cluster.ClientOptions);
        var id = (await customer.RequestHelpAsync(new RequestHelpInput { Topic = "general", Mode = HelpMode.Chat })).Conversation!.Id;
        await offered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await ann.AcceptOfferAsync(id);
        var photo = TestFiles.Png(40, 30);

        var sent = await customer.SendAttachmentAsync(id, "broken part.png", new MemoryStream(photo));

        var live = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(sent.Attachment, live.Attachment);
        var (bytes, type) = await ann.ReadAttachmentAsync(id, sent.Attachment!.Id);
        Assert.Equal(photo, bytes);
        Assert.Equal("image/png", type);
    }
}
