using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveHelp.Core;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHelp.Browser.Tests;

/// <summary>The one-tap device entry: /mayday asks for help as it opens, with the device info from its address.</summary>
public sealed class MaydayPageTests(BrowserFixture fixture) : WidgetTestBase(fixture)
{
    private const string Device = "/mayday?model=Fire%20HD%2010&os=Fire%20OS%208&app=2.1.0&details=Screen%20stays%20black";

    [Fact]
    public async Task Opening_the_page_asks_for_help_with_no_form_and_shows_the_agent()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync(Device);

        var offer = await agent.NextOfferAsync();
        Assert.Equal(HelpMode.Mayday, offer.Conversation.Mode);
        Assert.Equal("device", offer.Conversation.Topic);
        Assert.Equal("Fire HD 10", offer.Conversation.PreQualification.DeviceModel);
        Assert.Equal("Fire OS 8", offer.Conversation.PreQualification.DeviceOs);
        Assert.Equal("2.1.0", offer.Conversation.PreQualification.AppVersion);
        Assert.Equal("Screen stays black", offer.Conversation.PreQualification.Details);
        Assert.Equal(0, await page.Locator("livehelp-mayday form:not(.composer)").CountAsync());
        await Expect(page.Locator(".card")).ToContainTextAsync("You're number 1 in line");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Agent video" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Banner)).ToContainTextAsync("Fire HD 10 · Fire OS 8 · 2.1.0");
        await ScreenshotAsync(page, "mayday-1-queue");

        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await Expect(page.Locator(".stage")).ToContainTextAsync("Sam");
        await agent.Client.SendMessageAsync(id, "Hi, I'm Sam. Let's get your screen back.");
        await Expect(Bubbles(page, "get your screen back")).ToHaveCountAsync(1);
        await SendAsync(page, "Thank you!");
        await agent.MessageAsync("Thank you!");
        await ScreenshotAsync(page, "mayday-2-agent");
        await page.SetViewportSizeAsync(400, 800);
        await ScreenshotAsync(page, "mayday-3-phone");

        // Opening it again (a reload, a second tap) does not ask twice: it is the same conversation.
        await page.ReloadAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("Sam");
        await Expect(Bubbles(page, "Thank you!")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Nobody_online_says_so_at_once_and_takes_a_message_with_the_device_info()
    {
        var page = await OpenAsync(Device);
        await Expect(page.GetByText("No one is available right now")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "mayday-offline");
        await page.GetByLabel("Your message").FillAsync("Please call me back");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(page.GetByText("Thanks, your message has been sent.")).ToBeVisibleAsync();

        await Host.CreateAgentAsync("sam", WidgetAgent.AllSkills);
        using var http = Host.Http(await Host.SignInAsync("sam", LiveHelpHost.Password("sam")));
        var left = Assert.Single((await http.GetFromJsonAsync<JsonElement>("/api/offline-messages")).EnumerateArray());
        Assert.Equal("device", left.GetProperty("topic").GetString());
        Assert.Contains("Please call me back", left.GetProperty("text").GetString());
        Assert.Contains("Fire HD 10 · Fire OS 8 · 2.1.0", left.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_verified_user_in_the_address_reaches_the_agent_as_that_user()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        string secret;
        using (var admin = Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword)))
        {
            secret = (await admin.GetFromJsonAsync<JsonElement>("/api/settings/identity-secret")).GetProperty("secret").GetString()!;
        }
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("user-42")));
        await OpenAsync($"/mayday?model=Kiosk&userId=user-42&userHash={hash}");

        var offer = await agent.NextOfferAsync();
        Assert.Equal("user-42", offer.Conversation.VerifiedUserId);
        Assert.Equal("Kiosk", offer.Conversation.PreQualification.DeviceModel);
    }

    [Fact]
    public async Task Axe_finds_no_serious_problem_on_the_mayday_page()
    {
        await using var agent = await WidgetAgent.OnlineAsync(Host, "sam");
        var page = await OpenAsync(Device, AxeContext());
        var offer = await agent.NextOfferAsync();
        await Expect(page.Locator(".card")).ToContainTextAsync("in line");
        await AssertAccessibleAsync(page, "mayday queue");

        var id = (await agent.Client.AcceptOfferAsync(offer.ConversationId)).Id;
        await agent.Client.SendMessageAsync(id, "Hello, I'm here to help.");
        await Expect(Bubbles(page, "here to help")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page, "mayday chat");

        await agent.Client.SetStatusAsync(AgentStatus.Offline);
        var nobody = await OpenAsync("/mayday?model=Other", AxeContext());
        await Expect(nobody.GetByText("No one is available right now")).ToBeVisibleAsync();
        await AssertAccessibleAsync(nobody, "mayday offline form");
    }
}
