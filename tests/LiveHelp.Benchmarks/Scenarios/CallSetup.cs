using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using LiveHelp.Testing;
using Microsoft.Playwright;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// How long a customer who accepts an agent's video call waits for the agent's picture: the demo shop's widget and the
/// console in headless Chromium with its fake camera, against a bare RTCPeerConnection pair in two pages of the same
/// browser whose offer, answer and candidates are passed across by the tool.
/// </summary>
internal static class CallSetup
{
    private const string AgentName = "avery";
    private const int Patience = 30_000;

    /// <summary>
    /// Runs in the customer's page before its own scripts (an init script, so the page's CSP does not apply): stamps the
    /// click on the call bar's Accept in the capture phase, before the widget's handler runs; then the first
    /// RTCPeerConnection of the call to reach "connected", the time spent waiting for getUserMedia, and the first
    /// presented frame of the widget's video of the agent's camera (requestVideoFrameCallback).
    /// </summary>
    private const string CustomerProbe =
        """
        (() => {
          const bench = window.__bench = { t0: null, connected: null, media: 0, received: null, t1: null };
          window.__benchReset = () => Object.assign(bench, { t0: null, connected: null, media: 0, received: null, t1: null });
          addEventListener('click', (e) => {
            if (bench.t0 !== null) return;
            if (e.composedPath().some((n) => n instanceof HTMLElement && n.dataset.action === 'accept')) bench.t0 = performance.now();
          }, true);
          const Native = window.RTCPeerConnection;
          window.RTCPeerConnection = class extends Native {
            constructor(...args) {
              super(...args);
              this.addEventListener('connectionstatechange', () => {
                if (this.connectionState === 'connected' && bench.t0 !== null && bench.connected === null) bench.connected = performance.now();
              });
            }
          };
          const devices = navigator.mediaDevices;
          const getUserMedia = devices.getUserMedia.bind(devices);
          devices.getUserMedia = (constraints) => {
            const start = performance.now();
            const counted = bench.t0 !== null;
            return getUserMedia(constraints).finally(() => { if (counted) bench.media += performance.now() - start; });
          };
          const source = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
          Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
            configurable: true,
            enumerable: source.enumerable,
            get() { return source.get.call(this); },
            set(value) {
              source.set.call(this, value);
              if (!value || !(this instanceof HTMLVideoElement) || !this.classList.contains('stage__video')) return;
              this.requestVideoFrameCallback((now, frame) => {
                if (bench.t0 === null || bench.t1 !== null) return;
                bench.received = frame.receiveTime ?? null;
                bench.t1 = frame.presentationTime;
              });
            },
          });
        })();
        """;

    /// <summary>
    /// Both ends of the floor: one RTCPeerConnection per page, the same camera and microphone constraints and bundle
    /// policy as LiveHelp's calls, no ICE servers (LiveHelp's default too). Times are epoch milliseconds
    /// (timeOrigin + now) so the two pages' stamps compare.
    /// </summary>
    private const string FloorPage =
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>RTCPeerConnection floor</title></head>
        <body>
        <video id="remote" autoplay playsinline muted width="320" height="180"></video>
        <script>
        const bench = window.__bench = { t0: null, connected: null, received: null, t1: null, error: null };
        let pc = null, stream = null, queued = [], chain = Promise.resolve();
        const send = (m) => window.__signal(JSON.stringify(m));
        const clock = (t) => performance.timeOrigin + t;
        window.__media = async () => {
          stream = await navigator.mediaDevices.getUserMedia({
            audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
            video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
          });
        };
        window.__stopMedia = () => { stream?.getTracks().forEach((t) => t.stop()); stream = null; };
        function connect() {
          const own = pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
          own.onicecandidate = (e) => { if (e.candidate) send({ kind: 'candidate', candidate: e.candidate.toJSON() }); };
          own.onconnectionstatechange = () => {
            if (own.connectionState === 'connected' && bench.connected === null) bench.connected = clock(performance.now());
          };
          own.ontrack = (e) => {
            if (e.track.kind !== 'video') return;
            const video = document.getElementById('remote');
            video.srcObject = new MediaStream([e.track]);
            video.play().catch(() => undefined);
            video.requestVideoFrameCallback((now, frame) => {
              if (bench.t1 !== null) return;
              bench.received = frame.receiveTime === undefined ? null : clock(frame.receiveTime);
              bench.t1 = clock(frame.presentationTime);
            });
          };
        }
        window.__call = async () => {
          bench.t0 = clock(performance.now());
          connect();
          for (const track of stream.getTracks()) pc.addTrack(track, stream);
          await pc.setLocalDescription(await pc.createOffer());
          send({ kind: 'offer', sdp: pc.localDescription.sdp });
        };
        async function handle(m) {
          if (m.kind === 'candidate') {
            if (!pc || !pc.remoteDescription) queued.push(m.candidate);
            else await pc.addIceCandidate(m.candidate);
            return;
          }
          if (m.kind === 'offer') {
            connect();
            await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
            for (const track of stream.getTracks()) pc.addTrack(track, stream);
            await pc.setLocalDescription(await pc.createAnswer());
            send({ kind: 'answer', sdp: pc.localDescription.sdp });
          } else {
            await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
          }
          for (const candidate of queued.splice(0)) await pc.addIceCandidate(candidate);
        }
        window.__onSignal = (json) => {
          chain = chain.then(() => handle(JSON.parse(json))).catch((e) => { bench.error = String(e); });
        };
        window.__hangUp = () => {
          pc?.close();
          pc = null;
          queued = [];
          document.getElementById('remote').srcObject = null;
          Object.assign(bench, { t0: null, connected: null, received: null, t1: null });
        };
        </script>
        </body></html>
        """;

    public static async Task<Section> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var runs = options.Smoke ? 2 : 10;
        await using var deployment = await Deployment.StartAsync(1);
        await deployment.CreateAgentAsync(AgentName, maxConcurrent: 3);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var errors = new List<string>();

        var liveHelp = await LiveHelpAsync(browser, deployment.Nodes[0].Uri, runs, errors, ct);
        var floor = await FloorAsync(browser, deployment.Nodes[0].Uri, runs, errors, ct);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("call set-up: script errors in the pages: " + string.Join(" | ", errors));
        }

        var section = new Section("Call set-up: accept to the agent's first video frame");
        var table = section.Table("Path", "runs", "p50 ms", "max ms", "× floor");
        var frame = liveHelp.Frame.Summarize();
        var floorFrame = floor.Frame.Summarize();
        var connected = liveHelp.Connected.Summarize();
        var floorConnected = floor.Connected.Summarize();
        table.Row("LiveHelp video call: the customer clicks Accept → the agent's first frame on the customer's page", frame.Count, frame.P50, frame.Max, Ratio(frame.P50, floorFrame.P50));
        table.Row("Floor: bare RTCPeerConnection pair in two pages, createOffer → first frame", floorFrame.Count, floorFrame.P50, floorFrame.Max, Ratio(floorFrame.P50, floorFrame.P50));
        table.Row("of which LiveHelp: Accept → the customer's connection \"connected\"", connected.Count, connected.P50, connected.Max, Ratio(connected.P50, floorConnected.P50));
        table.Row("of which floor: createOffer → the answering connection \"connected\"", floorConnected.Count, floorConnected.P50, floorConnected.Max, Ratio(floorConnected.P50, floorConnected.P50));
        var media = liveHelp.Media.Summarize();
        section.Say(
            "A customer on the demo shop opens the widget and starts a chat, the agent accepts it in the console and starts a video call, " +
            "the customer accepts. t0 is `performance.now()` in the customer's page at the click on the call bar's Accept (a capture-phase " +
            "listener, so before the widget's own handler); t1 is the `presentationTime` of the first `requestVideoFrameCallback` on the " +
            "widget's video of the agent's camera: the first decoded frame handed to the compositor. Both stamps are taken in the same page. " +
            "For each run the agent hangs up and calls again in the same conversation; one untimed call goes first (on both paths). " +
            "Between the two stamps the widget fetches the ICE servers and asks the browser for camera and microphone while telling the hub the " +
            "call was accepted; the console then sends the offer it prepared while ringing, and its candidates, over SignalR; the customer " +
            "answers, ICE and DTLS complete on loopback (no STUN or TURN: LiveHelp's default), and the first frame is decoded. " +
            $"The customer's `getUserMedia` (Chromium's fake camera and microphone) took p50 {Ms(media.P50)} ms of that (max {Ms(media.Max)} ms).");
        section.Say(
            "The floor is two pages in two browser contexts of the same headless Chromium, each with one RTCPeerConnection sending the fake camera " +
            "and microphone with the same constraints and `bundlePolicy: max-bundle`, no ICE servers; the tool passes the offer, the answer and " +
            "every candidate from one page to the other as they come (trickle ICE, one DevTools round trip each). t0 is taken in the offering page " +
            "before its connection is created and `createOffer` runs, t1 is the first frame's `presentationTime` in the answering page, both as " +
            "`performance.timeOrigin + t` so the two pages' clocks compare. Both pages hold their camera before t0, so the floor leaves out the " +
            "`getUserMedia` a real accept must wait for, and includes creating the offer and gathering candidates, which LiveHelp does while " +
            "the call rings. " +
            $"From \"connected\" to the first frame took p50 {Ms(liveHelp.AfterConnected.Summarize().P50)} ms on LiveHelp's path and " +
            $"{Ms(floor.AfterConnected.Summarize().P50)} ms on the floor: Chromium's sender starting its encoder and sending the first key frame, " +
            $"which no signalling affects; from the arrival of the first frame's last packet " +
            $"(`receiveTime`) to its presentation took p50 {Ms(liveHelp.Presented.Summarize().P50)} ms in the widget and " +
            $"{Ms(floor.Presented.Summarize().P50)} ms in the floor page.");
        return section;
    }

    /// <summary>The demo shop and the console: a chat, then one accepted video call per run, hung up by the agent.</summary>
    private static async Task<Samples> LiveHelpAsync(IBrowser browser, Uri node, int runs, List<string> errors, CancellationToken ct)
    {
        var samples = new Samples(runs);
        await using var agentContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        await using var customerContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await customerContext.AddInitScriptAsync(CustomerProbe);
        var console = await OpenAsync(agentContext, new Uri(node, "/console"), errors);

        await Step("signing the agent in to the console", async () =>
        {
            await console.GetByLabel("Username").FillAsync(AgentName);
            await console.GetByLabel("Password").FillAsync(AgentName + "-password");
            await console.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(console.Locator(".conn")).ToHaveTextAsync("Connected", new() { Timeout = Patience });
            await console.Locator("#status").SelectOptionAsync("online");
            await Expect(console.Locator("#status.status-select--online")).ToBeVisibleAsync(new() { Timeout = Patience });
        });
        // The customer arrives once the agent is online: a launcher shown with nobody online offers a message instead.
        var customer = await OpenAsync(customerContext, new Uri(node, "/"), errors);
        await Step("starting a chat from the demo shop's widget", async () =>
        {
            await customer.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync(new() { Timeout = Patience });
            await customer.GetByLabel("Topic").SelectOptionAsync("general", new() { Timeout = Patience });
            await customer.GetByLabel("Your name").FillAsync("Ada");
            await customer.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        });
        var videoCall = console.GetByRole(AriaRole.Button, new() { Name = "Video call", Exact = true });
        await Step("the agent accepting the chat in the console", async () =>
        {
            await console.Locator(".offer").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync(new() { Timeout = Patience });
            await Expect(customer.Locator(".card")).ToContainTextAsync("Agent " + AgentName, new() { Timeout = Patience });
            await Expect(videoCall).ToBeEnabledAsync(new() { Timeout = Patience });
        });

        for (var run = -1; run < runs; run++)
        {
            ct.ThrowIfCancellationRequested();
            var label = run < 0 ? "the warm-up call" : $"call {run + 1} of {runs}";
            await customer.EvaluateAsync("() => window.__benchReset()");
            await Step($"{label}: the agent starting a video call", async () =>
            {
                await Expect(videoCall).ToBeEnabledAsync(new() { Timeout = Patience });
                await videoCall.ClickAsync();
            });
            await Step($"{label}: the call ringing in the widget and the customer accepting", async () =>
            {
                var accept = customer.Locator(".callbar [data-action=accept]");
                await Expect(accept).ToBeVisibleAsync(new() { Timeout = Patience });
                await accept.ClickAsync();
            });
            var stamps = await Step($"{label}: the agent's first video frame on the customer's page", async () =>
            {
                await customer.WaitForFunctionAsync("() => window.__bench.t1 !== null", null, new() { Timeout = Patience, PollingInterval = 20 });
                return await customer.EvaluateAsync<JsonElement>("() => window.__bench");
            });
            var t0 = Stamp(stamps, "t0", label);
            var t1 = Stamp(stamps, "t1", label);
            var up = Stamp(stamps, "connected", label);
            if (t1 < t0 || up < t0)
            {
                throw new InvalidOperationException($"call set-up, {label}: stamps out of order: {stamps}");
            }
            if (run >= 0)
            {
                samples.Add(t1 - t0, up - t0, t1 - Stamp(stamps, "received", label), Stamp(stamps, "media", label));
            }
            await Step($"{label}: the agent hanging up", async () =>
            {
                await console.GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync(new() { Timeout = Patience });
                await Expect(console.Locator(".call")).ToHaveCountAsync(0, new() { Timeout = Patience });
                await Expect(customer.Locator(".stage")).ToHaveCountAsync(0, new() { Timeout = Patience });
            });
        }
        return samples;
    }

    /// <summary>Two pages, each with one RTCPeerConnection; the tool carries the signalling between them.</summary>
    private static async Task<Samples> FloorAsync(IBrowser browser, Uri node, int runs, List<string> errors, CancellationToken ct)
    {
        var samples = new Samples(runs);
        // Served by the tool under the node's origin: http on 127.0.0.1 is a secure context, so getUserMedia works.
        var address = new Uri(node, "/benchmark-floor.html");
        await using var offererContext = await browser.NewContextAsync();
        await using var answererContext = await browser.NewContextAsync();
        var signals = Channel.CreateUnbounded<(IPage To, string Message)>(new() { SingleReader = true });
        var offerer = await FloorPageAsync(offererContext, address, errors);
        var answerer = await FloorPageAsync(answererContext, address, errors);
        await offerer.ExposeFunctionAsync("__signal", (string m) => signals.Writer.TryWrite((answerer, m)));
        await answerer.ExposeFunctionAsync("__signal", (string m) => signals.Writer.TryWrite((offerer, m)));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pump = Task.Run(async () =>
        {
            await foreach (var (to, message) in signals.Reader.ReadAllAsync(stop.Token))
            {
                // Handed over without waiting for the page to act on it, as a signalling server would.
                await to.EvaluateAsync("m => { window.__onSignal(m); }", message);
            }
        }, CancellationToken.None);
        try
        {
            await Step("the floor's offering page getting the fake camera", () => offerer.EvaluateAsync("() => window.__media()"));
            for (var run = -1; run < runs; run++)
            {
                ct.ThrowIfCancellationRequested();
                var label = run < 0 ? "floor warm-up" : $"floor run {run + 1} of {runs}";
                await Step($"{label}: the answering page getting the fake camera", () => answerer.EvaluateAsync("() => window.__media()"));
                await offerer.EvaluateAsync("() => window.__call()");
                await Step($"{label}: the first frame in the answering page", () =>
                    answerer.WaitForFunctionAsync("() => window.__bench.t1 !== null || window.__bench.error !== null", null, new() { Timeout = Patience, PollingInterval = 20 }));
                var offered = await offerer.EvaluateAsync<JsonElement>("() => window.__bench");
                var answered = await answerer.EvaluateAsync<JsonElement>("() => window.__bench");
                foreach (var side in new[] { offered, answered })
                {
                    if (side.GetProperty("error").ValueKind == JsonValueKind.String)
                    {
                        throw new InvalidOperationException($"call set-up, {label}: signalling failed in a floor page: {side.GetProperty("error").GetString()}");
                    }
                }
                var t0 = Stamp(offered, "t0", label);
                if (run >= 0)
                {
                    var t1 = Stamp(answered, "t1", label);
                    samples.Add(t1 - t0, Stamp(answered, "connected", label) - t0, t1 - Stamp(answered, "received", label), 0);
                }
                await offerer.EvaluateAsync("() => window.__hangUp()");
                await answerer.EvaluateAsync("() => { window.__hangUp(); window.__stopMedia(); }");
            }
        }
        finally
        {
            signals.Writer.TryComplete();
            await stop.CancelAsync();
            try
            {
                await pump;
            }
            catch (OperationCanceledException)
            {
            }
            catch (PlaywrightException e)
            {
                throw new InvalidOperationException("call set-up: passing the floor's signalling from one page to the other failed: " + e.Message, e);
            }
        }
        return samples;
    }

    private static async Task<IPage> FloorPageAsync(IBrowserContext context, Uri address, List<string> errors)
    {
        await context.RouteAsync(address.ToString(), route => route.FulfillAsync(new() { Status = 200, ContentType = "text/html; charset=utf-8", Body = FloorPage }));
        var page = await OpenAsync(context, address, errors);
        if (await page.TitleAsync() != "RTCPeerConnection floor")
        {
            throw new InvalidOperationException($"the floor page was not served at {address}: got \"{await page.TitleAsync()}\"");
        }
        return page;
    }

    private static async Task<IPage> OpenAsync(IBrowserContext context, Uri address, List<string> errors)
    {
        var page = await context.NewPageAsync();
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"{address.AbsolutePath}: {error}");
            }
        };
        var response = await page.GotoAsync(address.ToString(), new() { Timeout = Patience });
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"opening {address}: {(response is null ? "no response" : response.Status.ToString(CultureInfo.InvariantCulture))}");
        }
        return page;
    }

    private static async Task Step(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new TimeoutException($"call set-up: {what}: {e.Message}", e);
        }
    }

    private static async Task<T> Step<T>(string what, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new TimeoutException($"call set-up: {what}: {e.Message}", e);
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static double Stamp(JsonElement stamps, string name, string label) => stamps.GetProperty(name).ValueKind == JsonValueKind.Number
        ? stamps.GetProperty(name).GetDouble()
        : throw new InvalidOperationException($"call set-up, {label}: no '{name}' stamp in {stamps}");

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double floor) =>
        double.IsNaN(value) || double.IsNaN(floor) || floor <= 0 ? "–" : (value / floor).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>Per run, in milliseconds: t0 to the first frame and to "connected", the first frame's receipt to its presentation, getUserMedia.</summary>
    private sealed class Samples(int runs)
    {
        public Latencies Frame { get; } = new(runs);

        public Latencies Connected { get; } = new(runs);

        public Latencies Media { get; } = new(runs);

        /// <summary>From "connected" to the first frame.</summary>
        public Latencies AfterConnected { get; } = new(runs);

        /// <summary>From the first frame's last packet arriving to its presentation.</summary>
        public Latencies Presented { get; } = new(runs);

        public void Add(double frame, double connected, double presented, double media)
        {
            Frame.Add(Ticks(frame));
            Connected.Add(Ticks(connected));
            AfterConnected.Add(Ticks(frame - connected));
            Presented.Add(Ticks(presented));
            Media.Add(Ticks(media));
        }

        private static long Ticks(double milliseconds) => (long)Math.Round(milliseconds * Stopwatch.Frequency / 1000.0);
    }
}
