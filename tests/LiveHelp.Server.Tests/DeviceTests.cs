using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;

namespace LiveHelp.Server.Tests;

public sealed class DeviceTests : ServerTest
{
    private static DeviceInfo Kindle => new() { Model = "Kindle Fire HDX 8.9", Os = "Fire OS 3.0", AppVersion = "13.3.1" };

    [Fact]
    public async Task One_tap_on_the_device_button_reaches_a_device_expert_who_already_knows_the_device()
    {
        await AgentAsync("ann", ["general"]);
        var dana = await AgentAsync("dana", ["device"], status: AgentStatus.Away);
        var offers = new Inbox<OfferNotice>(h => dana.OfferReceived += h);
        await dana.SetStatusAsync(AgentStatus.Online);
        var device = Track(new DeviceClient(Host.BaseUri, FastReconnect));
        var joined = new Inbox<AgentJoined>(h => device.Customer.AgentJoined += h);

        var result = await device.MaydayAsync(Kindle);

        Assert.Equal(RequestHelpStatus.Queued, result.Status);
        Assert.Equal("device", result.Conversation!.Topic);
        Assert.Equal(HelpMode.Mayday, result.Conversation.Mode);
        var offer = await offers.NextAsync();
        Assert.Equal(result.Conversation.Id, offer.ConversationId);
        Assert.Equal(HelpMode.Mayday, offer.Conversation.Mode);
        Assert.Equal("device", offer.Conversation.Topic);
        Assert.Equal("Kindle Fire HDX 8.9", offer.Conversation.PreQualification.DeviceModel);
        Assert.Equal("Fire OS 3.0", offer.Conversation.PreQualification.DeviceOs);
        Assert.Equal("13.3.1", offer.Conversation.PreQualification.AppVersion);

        await dana.AcceptOfferAsync(offer.ConversationId);
        var agent = await joined.NextAsync();
        Assert.Equal("Dana", agent.AgentName);
        Assert.Equal(ConversationStatus.Active, (await device.Customer.ResumeAsync(offer.ConversationId, 0)).Conversation.Status);
    }

    [Fact]
    public async Task Tapping_the_device_button_again_after_the_app_restarts_returns_the_same_request()
    {
        var dana = await AgentAsync("dana", ["device"], maxConcurrent: 1);
        await ConversationAsync(dana, input: Help("device", "Battery drains fast"));
        var firstDevice = Track(new DeviceClient(Host.BaseUri, FastReconnect));
        var first = await firstDevice.MaydayAsync(Kindle);
        var token = firstDevice.Customer.Token;
        await firstDevice.DisposeAsync();

        var secondDevice = Track(new DeviceClient(Host.BaseUri, FastReconnect));
        var second = await secondDevice.MaydayAsync(Kindle with { VisitorToken = token });

        Assert.Equal(RequestHelpStatus.Queued, second.Status);
        Assert.Equal(first.Conversation!.Id, second.Conversation!.Id);
        Assert.Single(await dana.GetQueueAsync());
    }
}
