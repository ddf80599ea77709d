using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// Calls between the console and the customer's page over real WebRTC in Chromium, with its fake camera, microphone
/// and screen: media decoded on both sides is read from getStats.
/// </summary>
public sealed class CallTests(BrowserFixture fixture) : CallTest(fixture)
{
    [Fact]
    public async Task Mayday_puts_the_agent_on_the_customers_page_and_the_customers_screen_in_the_console_without_the_customers_camera()
    {
        var console = await AgentConsoleAsync(axe: true);
        var customer = await MaydayAsync(console, axe: true);

        // The press was the consent: no prompt of ours, the call is answered and the screen shared at once.
        var agentFrames = await CallProbe.WaitForFramesAsync(AgentVideo(customer));
        var screenFrames = await CallProbe.WaitForFramesAsync(SharedScreen(console));
        Assert.True(agentFrames > 0 && screenFrames > 0);
        await Expect(customer.Locator(".stage__media")).ToBeVisibleAsync();
        await Expect(customer.Locator(".stage")).ToContainTextAsync("Sam");
        await Expect(customer.Locator(".callbar")).ToContainTextAsync("On a call with Sam");

        // The customer's camera was never asked for: only the microphone.
        var requests = await CallProbe.MediaRequestsAsync(customer);
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.DoesNotContain("video", r));
        Assert.Equal(1, await customer.EvaluateAsync<int>("() => window.__gdm"));
        Assert.Contains(await CallProbe.MediaRequestsAsync(console), r => r.Contains("video"));

        // The console: connected, live figures, the agent's own camera beside the customer's screen.
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        await Expect(console.Locator(".call__figures")).ToContainTextAsync("Round trip");
        await Expect(console.Locator(".call__figures")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ ms"));
        await Expect(console.Locator(".call__figures")).ToContainTextAsync("Direct");
        await Expect(console.Locator(".call__video--self")).ToBeVisibleAsync();
        await Expect(Log(console)).ToContainTextAsync("Sam started a mayday call.");
        await Expect(Log(console)).ToContainTextAsync("The customer started sharing their screen.");

        // The chat goes on during the call.
        await WidgetTestBase.SendAsync(customer, "I can see you!");
        await Expect(Log(console).Locator(".msg--customer")).ToContainTextAsync("I can see you!");
        await customer.WaitForTimeoutAsync(500);
        await ScreenshotAsync(customer, "call-mayday-customer");
        await ScreenshotAsync(console, "call-mayday-console");
        await AssertAccessibleAsync(customer, "the mayday page during the call");
        await AssertAccessibleAsync(console, "the console during a mayday call");

        await customer.GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync();
        await Expect(console.Locator(".call")).ToHaveCountAsync(0);
        await Expect(Log(console)).ToContainTextAsync("The call ended after 0:");
        await Expect(customer.Locator(".stage__media")).ToHaveCountAsync(0);

        // Hanging up stops the capture on both sides: microphone, camera and screen.
        Assert.True(await CallProbe.LiveTracksAsync(customer) == 0, "the customer's page still captures");
        await UntilAsync(async () => await CallProbe.LiveTracksAsync(console) == 0, "the console to stop capturing");
    }

    [Fact]
    public async Task A_chat_becomes_a_video_call_and_back_to_a_chat_with_messages_flowing_throughout()
    {
        var console = await AgentConsoleAsync();
        var customer = await OpenAsync("/", CustomerContext(axe: true), PageScript);
        await WidgetTestBase.StartChatAsync(customer, "billing", name: "Ada");
        await console.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(customer.Locator(".card")).ToContainTextAsync("Sam");
        await WidgetTestBase.SendAsync(customer, "Could you show me how to fold it?");
        await Expect(Log(console).Locator(".msg--customer")).ToContainTextAsync("Could you show me how to fold it?");

        // A call the customer declines changes nothing but a line in the transcript.
        await console.GetByRole(AriaRole.Button, new() { Name = "Voice call", Exact = true }).ClickAsync();
        await customer.Locator(".callbar").GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(Log(console)).ToContainTextAsync("The call was declined.");
        await Expect(console.Locator(".call")).ToHaveCountAsync(0);
        await Expect(customer.Locator(".callbar")).ToHaveCountAsync(0);
        Assert.Empty(await CallProbe.MediaRequestsAsync(customer));

        // The agent upgrades the chat; the customer is asked, and accepts.
        await console.GetByRole(AriaRole.Button, new() { Name = "Video call", Exact = true }).ClickAsync();
        await Expect(console.Locator(".call__state")).ToHaveTextAsync("Ringing…");
        var bar = customer.Locator(".callbar");
        await Expect(bar).ToContainTextAsync("Sam is calling you");
        await Expect(bar).ToContainTextAsync("Video call");
        await ScreenshotAsync(customer, "call-video-incoming");
        await AssertAccessibleAsync(customer, "the widget with a call ringing");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();

        await CallProbe.WaitForFramesAsync(AgentVideo(customer));
        await CallProbe.WaitForFramesAsync(console.Locator(".call__video--camera"));
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        await Expect(customer.Locator(".stage__self")).ToBeVisibleAsync();
        Assert.Contains(await CallProbe.MediaRequestsAsync(customer), r => r.Contains("video"));

        // Messages both ways during the call.
        await WidgetTestBase.SendAsync(customer, "Now I can see you");
        await Expect(Log(console).Locator(".msg--customer").Last).ToContainTextAsync("Now I can see you");
        await SendFromConsoleAsync(console, "Fold the left side first.");
        await Expect(WidgetTestBase.Bubbles(customer, "Fold the left side first.")).ToHaveCountAsync(1);
        await customer.WaitForTimeoutAsync(500);
        await ScreenshotAsync(customer, "call-video-customer");
        await ScreenshotAsync(console, "call-video-console");

        // Screen sharing added to the running call: our own question first, then the browser's; removed again after.
        await bar.GetByRole(AriaRole.Button, new() { Name = "Share screen" }).ClickAsync();
        var consent = customer.GetByRole(AriaRole.Dialog, new() { Name = "Let Sam see your screen?" });
        await Expect(consent).ToContainTextAsync("You can pause or stop at any time.");
        Assert.Equal(0, await customer.EvaluateAsync<int>("() => window.__gdm"));
        await ScreenshotAsync(customer, "call-video-consent");
        await AssertAccessibleAsync(customer, "the widget asking to share the screen");
        await consent.GetByRole(AriaRole.Button, new() { Name = "Share my screen" }).ClickAsync();
        await Expect(consent).ToHaveCountAsync(0);
        await CallProbe.WaitForFramesAsync(SharedScreen(console));
        await Expect(console.Locator(".call__video--camera")).ToBeVisibleAsync();
        await bar.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
        await Expect(console.Locator(".call__screen")).ToBeHiddenAsync();

        // Back to chat: the agent hangs up, and the conversation carries on.
        await console.GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync();
        await Expect(customer.Locator(".stage")).ToHaveCountAsync(0);
        await Expect(customer.Locator(".callbar")).ToContainTextAsync("The call has ended");
        await Expect(console.Locator(".call")).ToHaveCountAsync(0);
        await Expect(console.GetByRole(AriaRole.Button, new() { Name = "Video call", Exact = true })).ToBeEnabledAsync();
        await WidgetTestBase.SendAsync(customer, "Thanks, that worked");
        await Expect(Log(console).Locator(".msg--customer").Last).ToContainTextAsync("Thanks, that worked");
        await SendFromConsoleAsync(console, "Glad to hear it!");
        await Expect(WidgetTestBase.Bubbles(customer, "Glad to hear it!")).ToHaveCountAsync(1);
        var log = customer.GetByRole(AriaRole.Log);
        await Expect(log).ToContainTextAsync("Sam started a video call.");
        await Expect(log).ToContainTextAsync("The call ended after 0:");
        Assert.Equal(0, await customer.Locator("video").CountAsync());
    }

    [Fact]
    public async Task A_customer_calls_from_the_widget_and_the_agent_answers_in_the_console()
    {
        var console = await AgentConsoleAsync(axe: true);
        var customer = await OpenAsync("/", CustomerContext(axe: true), PageScript);
        await WidgetTestBase.StartChatAsync(customer, "technical", name: "Ada");
        await console.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(customer.Locator(".card")).ToContainTextAsync("Sam");

        await customer.GetByRole(AriaRole.Button, new() { Name = "Start a voice call" }).ClickAsync();
        await Expect(customer.Locator(".callbar")).ToContainTextAsync("Calling…");
        await Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Start a video call" })).ToBeDisabledAsync();
        var incoming = console.Locator(".call--incoming");
        await Expect(incoming).ToContainTextAsync("Ada is calling you: Voice call");
        await Expect(console.GetByRole(AriaRole.Button, new() { Name = "Voice call", Exact = true })).ToBeDisabledAsync();
        await AssertAccessibleAsync(console, "the console with a call ringing");
        await ScreenshotAsync(console, "call-voice-incoming-console");
        await incoming.GetByRole(AriaRole.Button, new() { Name = "Accept call" }).ClickAsync();

        // Voice only: audio both ways, no camera asked for on either side, no pictures.
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        await Expect(customer.Locator(".callbar")).ToContainTextAsync("On a call with Sam");
        await CallProbe.WaitForAudioAsync(console.Locator(".call audio"));
        await CallProbe.WaitForAudioAsync(customer.Locator("audio"));
        Assert.All(await CallProbe.MediaRequestsAsync(customer), r => Assert.DoesNotContain("video", r));
        Assert.All(await CallProbe.MediaRequestsAsync(console), r => Assert.DoesNotContain("video", r));
        await Expect(console.Locator(".call__stage")).ToBeHiddenAsync();
        Assert.Equal(0, await customer.Locator("video").CountAsync());

        var mute = customer.GetByRole(AriaRole.Button, new() { Name = "Mute" });
        await mute.ClickAsync();
        await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(mute).ToBeFocusedAsync();
        await AssertAccessibleAsync(customer, "the widget during a voice call");
        await AssertAccessibleAsync(console, "the console during a voice call");
        await ScreenshotAsync(customer, "call-voice-customer");

        await customer.GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync();
        await Expect(console.Locator(".call")).ToHaveCountAsync(0);
        await Expect(Log(console)).ToContainTextAsync("The customer started a voice call.");
        await Expect(Log(console)).ToContainTextAsync("The call ended after 0:");
        await Expect(customer.GetByRole(AriaRole.Button, new() { Name = "Start a voice call" })).ToBeEnabledAsync();
    }

    [Fact]
    public async Task A_stroke_and_a_pointer_drawn_in_the_console_appear_at_the_same_place_over_the_customers_page()
    {
        var console = await AgentConsoleAsync();
        var customer = await MaydayAsync(console);
        await CallProbe.WaitForFramesAsync(SharedScreen(console), 5);
        await Expect(console.Locator(".call__tools")).ToBeVisibleAsync();

        await console.GetByRole(AriaRole.Radio, new() { Name = "Blue" }).CheckAsync();
        await DrawAsync(console, (0.2, 0.6), (0.8, 0.6));
        await ScreenshotAsync(console, "call-annotation-console");
        var overlay = customer.Locator("canvas.ink");
        await Expect(overlay).ToHaveCountAsync(1);
        await WaitForInkAsync(overlay, 0.5, 0.6);

        // On the stroke, in the chosen colour; nothing far from it.
        foreach (var x in new[] { 0.3, 0.5, 0.7 })
        {
            var pixel = await CallProbe.PixelAsync(overlay, x, 0.6);
            Assert.True(pixel[3] > 200 && pixel[2] > 180 && pixel[0] < 120, $"no blue stroke at ({x}, 0.6): [{string.Join(", ", pixel)}]");
        }
        foreach (var (x, y) in new[] { (0.5, 0.3), (0.5, 0.85), (0.05, 0.6), (0.95, 0.6) })
        {
            Assert.Equal(0, (await CallProbe.PixelAsync(overlay, x, y))[3]);
        }
        Assert.Equal("none", await overlay.EvaluateAsync<string>("c => getComputedStyle(c).pointerEvents"));
        await ScreenshotAsync(customer, "call-annotation-customer");

        // A pointer: where to tap.
        await console.GetByRole(AriaRole.Button, new() { Name = "Point" }).ClickAsync();
        await console.GetByRole(AriaRole.Radio, new() { Name = "Red" }).CheckAsync();
        await PointAsync(console, (0.25, 0.25));
        await WaitForInkAsync(overlay, 0.25, 0.25);
        var dot = await CallProbe.PixelAsync(overlay, 0.25, 0.25);
        Assert.True(dot[0] > 180 && dot[2] < 120, $"no red pointer at (0.25, 0.25): [{string.Join(", ", dot)}]");

        // Marks fade away by themselves.
        await customer.WaitForTimeoutAsync(6000);
        Assert.Equal(0, (await CallProbe.PixelAsync(overlay, 0.5, 0.6))[3]);
        Assert.Equal(0, (await CallProbe.PixelAsync(overlay, 0.25, 0.25))[3]);
    }

    [Fact]
    public async Task While_the_customer_pauses_sharing_the_agent_receives_no_frames_and_sees_paused()
    {
        var console = await AgentConsoleAsync();
        var customer = await MaydayAsync(console);
        var screen = SharedScreen(console);
        await CallProbe.WaitForFramesAsync(screen, 10);

        await customer.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(console.Locator(".call__paused")).ToBeVisibleAsync();
        await Expect(console.Locator(".call__paused")).ToContainTextAsync("Paused");
        await Expect(console.Locator(".call__tools button").First).ToBeDisabledAsync();
        await Expect(customer.Locator(".callbar")).ToContainTextAsync("Screen sharing is paused");
        await console.WaitForTimeoutAsync(700);
        var before = await CallProbe.FramesAsync(screen);
        await console.WaitForTimeoutAsync(2500);
        var after = await CallProbe.FramesAsync(screen);
        Assert.Equal(before, after);
        await ScreenshotAsync(console, "call-paused-console");

        await customer.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(console.Locator(".call__paused")).ToBeHiddenAsync();
        await CallProbe.WaitForFramesAsync(screen, after + 5, 10000);

        // Stopping takes the screen off the call (renegotiated); sharing again brings it back.
        await customer.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
        await Expect(console.Locator(".call__screen")).ToBeHiddenAsync();
        await Expect(console.Locator(".call__waiting")).ToBeVisibleAsync();
        await customer.GetByRole(AriaRole.Button, new() { Name = "Share screen" }).ClickAsync();
        await Expect(console.Locator(".call__screen")).ToBeVisibleAsync();
        await CallProbe.WaitForFramesAsync(screen, 1, 15000);
        await Expect(Log(console)).ToContainTextAsync("The customer stopped sharing their screen.");
    }

    private static async Task SendFromConsoleAsync(IPage console, string text)
    {
        var composer = console.Locator("#composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(Log(console).Locator(".msg--agent").Last).ToContainTextAsync(text);
    }

    private static async Task WaitForInkAsync(ILocator overlay, double x, double y)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await CallProbe.PixelAsync(overlay, x, y))[3] == 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"nothing was drawn at ({x}, {y}) on the customer's overlay");
            }
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// Calls forced through TURN (iceTransportPolicy "relay" in both pages) with Debian's coturn on loopback: a test-only
/// configuration relays, and the shipped production configuration refuses the loopback peer.
/// </summary>
public sealed class TurnCallTests(BrowserFixture fixture) : CallTest(fixture)
{
    private const string Secret = "turn-secret-for-browser-tests";
    private readonly int _turnPort = LoopbackPort.Free();

    protected override bool ForceRelay => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:Turn:Urls:0"] = $"turn:127.0.0.1:{_turnPort}?transport=udp",
        ["LiveHelp:Turn:Secret"] = Secret,
        ["LiveHelp:Turn:CredentialLifetime"] = "00:10:00",
    };

    [Fact]
    public async Task A_call_forced_through_TURN_connects_over_relayed_candidates_and_decodes_frames()
    {
        await using var turn = await Coturn.StartForTestsAsync(_turnPort, Secret);
        var console = await AgentConsoleAsync();
        var customer = await MaydayAsync(console);

        await CallProbe.WaitForFramesAsync(AgentVideo(customer));
        await CallProbe.WaitForFramesAsync(SharedScreen(console));
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        Assert.All(await CallProbe.CandidateTypesAsync(customer), type => Assert.Equal("relay", type));
        var routes = await CallProbe.RoutesAsync(console);
        Assert.Equal(["relay/relay"], routes);
        Assert.Equal(["relay/relay"], await CallProbe.RoutesAsync(customer));
        await Expect(console.Locator(".call__figures")).ToContainTextAsync("Relayed (TURN)");
    }

    [Fact]
    public async Task The_shipped_production_coturn_config_refuses_a_loopback_peer_so_the_relayed_call_never_connects()
    {
        var config = WidgetTestBase.RepositoryPath("deploy", "coturn", "turnserver.conf");
        await using var turn = await Coturn.StartProductionAsync(config, _turnPort, Secret);
        var console = await AgentConsoleAsync();
        var customer = await MaydayAsync(console);

        // TURN itself works (relayed candidates are gathered: the credentials are good) ...
        await UntilAsync(async () => (await CallProbe.CandidateTypesAsync(customer)).Contains("relay"), "a relayed candidate (is coturn answering?)", 15000);

        // ... but relaying to 127.0.0.1 is refused: ICE fails, is restarted once, fails again, and the call ends unconnected.
        await Expect(Log(console)).ToContainTextAsync("The call ended before it connected.", new() { Timeout = 90_000 });
        Assert.Equal(0, await Log(console).GetByText("The call ended after").CountAsync());
        Assert.Equal(0, await AgentVideo(customer).CountAsync());
        await Expect(customer.Locator(".callbar")).Not.ToContainTextAsync("On a call");
        Assert.True(await console.Locator(".call").CountAsync() == 0, "the console still shows the call");

        // ICE was restarted before the call was given up, and by each side at most once.
        var restarts = (Console: await CallProbe.IceRestartsAsync(console), Customer: await CallProbe.IceRestartsAsync(customer));
        Assert.True(restarts.Console + restarts.Customer >= 1 && restarts.Console <= 1 && restarts.Customer <= 1, $"ICE restarts: {restarts}");
        Assert.DoesNotContain("connected", await CallProbe.IceStatesAsync(console));
    }
}

/// <summary>A live call in which one side vanishes without hanging up, with a short silence timeout to keep the test brief.</summary>
public sealed class VanishedCallTests(BrowserFixture fixture) : CallTest(fixture)
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(12);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LiveHelp:CallSilenceTimeout"] = Silence.ToString(),
    };

    [Fact]
    public async Task Both_pages_keep_a_call_alive_past_the_silence_timeout_and_a_customer_page_that_dies_ends_it_as_dropped()
    {
        var console = await AgentConsoleAsync();
        var customer = await MaydayAsync(console);
        await CallProbe.WaitForFramesAsync(SharedScreen(console));
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");

        // Longer than the silence timeout: both pages report while their media is connected, so the call stays up.
        await console.WaitForTimeoutAsync((float)(Silence + TimeSpan.FromSeconds(4)).TotalMilliseconds);
        await Expect(console.Locator(".call__state")).ToContainTextAsync("Connected");
        Assert.Equal(0, await Log(console).GetByText("The call dropped").CountAsync());

        // The customer's tab dies with no hang-up (no pagehide, no EndCall): the server ends the call by itself.
        var cdp = await customer.Context.NewCDPSessionAsync(customer);
        _ = cdp.SendAsync("Page.crash");
        await Expect(Log(console)).ToContainTextAsync("The call dropped after 0:", new() { Timeout = 30_000 });
        await Expect(console.Locator(".call")).ToHaveCountAsync(0);
    }
}
