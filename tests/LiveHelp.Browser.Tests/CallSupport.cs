using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>
/// What the call tests read from inside the pages: every RTCPeerConnection a page makes (for getStats), the
/// constraints of every getUserMedia call, and the types of the ICE candidates gathered.
/// </summary>
internal static class CallProbe
{
    /// <summary>Runs before the page's own scripts (an init script, so the page's CSP does not apply to it).</summary>
    public const string Script =
        """
        (() => {
          window.__pcs = [];
          window.__gum = [];
          window.__gdm = 0;
          window.__candidates = [];
          window.__ice = [];
          window.__restarts = 0;
          window.__tracks = [];
          const Native = window.RTCPeerConnection;
          if (Native) {
            window.RTCPeerConnection = class extends Native {
              constructor(...args) {
                super(...args);
                window.__pcs.push(this);
                this.addEventListener('icecandidate', (e) => { if (e.candidate) window.__candidates.push(e.candidate.type); });
                this.addEventListener('iceconnectionstatechange', () => window.__ice.push(this.iceConnectionState));
              }
              restartIce() { window.__restarts++; return super.restartIce(); }
            };
          }
          const devices = navigator.mediaDevices;
          if (devices) {
            const getUserMedia = devices.getUserMedia.bind(devices);
            const keep = (s) => { window.__tracks.push(...s.getTracks()); return s; };
            devices.getUserMedia = (c) => { window.__gum.push(JSON.stringify(c)); return getUserMedia(c).then(keep); };
            const getDisplayMedia = devices.getDisplayMedia.bind(devices);
            devices.getDisplayMedia = (c) => { window.__gdm++; return getDisplayMedia(c).then(keep); };
          }
        })();
        """;

    /// <summary>Forces every call of the page through TURN, as the call code reads it.</summary>
    public const string ForceRelay = "try { localStorage.setItem('livehelp.iceTransportPolicy', 'relay'); } catch {}";

    /// <summary>A figure of the inbound RTP stream that a media element plays, from its peer connection's getStats.</summary>
    private const string InboundJs =
        """
        async (media, field) => {
          const track = media.srcObject && media.srcObject.getTracks()[0];
          if (!track) return -1;
          for (const pc of window.__pcs || []) {
            if (pc.connectionState === 'closed' || !pc.getReceivers().some(r => r.track === track)) continue;
            const report = await pc.getStats(track);
            let value = 0;
            report.forEach(s => { if (s.type === 'inbound-rtp') value = Math.max(value, s[field] || 0); });
            return value;
          }
          return -1;
        }
        """;

    private const string RoutesJs =
        """
        async () => {
          const routes = [];
          for (const pc of window.__pcs || []) {
            if (pc.connectionState === 'closed') continue;
            const report = await pc.getStats();
            report.forEach(s => {
              if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
              const pair = report.get(s.selectedCandidatePairId);
              routes.push(report.get(pair.localCandidateId).candidateType + '/' + report.get(pair.remoteCandidateId).candidateType);
            });
          }
          return routes;
        }
        """;

    public static Task<int> FramesAsync(ILocator video) => video.EvaluateAsync<int>(InboundJs, "framesDecoded");

    /// <summary>Waits until the audio element's inbound track has received RTP packets.</summary>
    public static async Task WaitForAudioAsync(ILocator audio, int timeoutMs = 30000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (await audio.EvaluateAsync<int>(InboundJs, "packetsReceived") <= 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"no audio packets arrived within {timeoutMs} ms");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until the video element's inbound track has decoded at least <paramref name="atLeast"/> frames.</summary>
    public static async Task<int> WaitForFramesAsync(ILocator video, int atLeast = 1, int timeoutMs = 30000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        var frames = -1;
        while (DateTime.UtcNow < until)
        {
            frames = await FramesAsync(video);
            if (frames >= atLeast)
            {
                return frames;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the video decoded {frames} frames, not {atLeast}, within {timeoutMs} ms");
    }

    /// <summary>"local/remote" candidate types of the selected pair of each live connection, e.g. "relay/relay".</summary>
    public static Task<string[]> RoutesAsync(IPage page) => page.EvaluateAsync<string[]>(RoutesJs);

    public static Task<string[]> MediaRequestsAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__gum");

    /// <summary>Every ICE connection state the page's connections went through, in order.</summary>
    public static Task<string[]> IceStatesAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__ice");

    /// <summary>How many times the page's call code restarted ICE.</summary>
    public static Task<int> IceRestartsAsync(IPage page) => page.EvaluateAsync<int>("() => window.__restarts");

    /// <summary>How many of the camera, microphone and screen tracks the page was given are still capturing.</summary>
    public static Task<int> LiveTracksAsync(IPage page) => page.EvaluateAsync<int>("() => window.__tracks.filter(t => t.readyState === 'live').length");

    public static Task<string[]> CandidateTypesAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__candidates");

    /// <summary>The picture's rectangle in page coordinates inside a video element that letterboxes it (object-fit: contain).</summary>
    public static async Task<(double X, double Y, double Width, double Height)> PictureAsync(ILocator video)
    {
        var r = await video.EvaluateAsync<double[]>(
            """
            v => {
              const box = v.getBoundingClientRect();
              const scale = Math.min(box.width / v.videoWidth, box.height / v.videoHeight);
              const w = v.videoWidth * scale, h = v.videoHeight * scale;
              return [box.left + (box.width - w) / 2, box.top + (box.height - h) / 2, w, h];
            }
            """);
        return (r[0], r[1], r[2], r[3]);
    }

    /// <summary>The strongest pixel (by alpha) within a few pixels of a normalised point of a canvas: [r, g, b, a].</summary>
    public static Task<int[]> PixelAsync(ILocator canvas, double x, double y) => canvas.EvaluateAsync<int[]>(
        """
        (c, [x, y]) => {
          const g = c.getContext('2d');
          const cx = Math.round(x * c.width), cy = Math.round(y * c.height);
          const d = g.getImageData(Math.max(0, cx - 3), Math.max(0, cy - 3), 7, 7).data;
          let best = [0, 0, 0, 0];
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] > best[3]) best = [d[i], d[i + 1], d[i + 2], d[i + 3]];
          return best;
        }
        """, new[] { x, y });
}

/// <summary>Call tests: an agent in the console with the probe, and customers on the /mayday page or the demo shop.</summary>
public abstract class CallTest : ConsoleTest
{
    protected const string Device = "/mayday?model=Fire%20HD%2010&os=Fire%20OS%208&app=2.1.0";

    protected CallTest(BrowserFixture fixture)
        : base(fixture) => Assertions.SetDefaultExpectTimeout(20_000);

    /// <summary>When true, both pages of a test send everything through TURN.</summary>
    protected virtual bool ForceRelay => false;

    protected string PageScript => ForceRelay ? CallProbe.Script + "\n" + CallProbe.ForceRelay : CallProbe.Script;

    /// <summary>An agent with every topic's skill, signed in to the console and online.</summary>
    protected async Task<IPage> AgentConsoleAsync(string username = "sam", bool axe = false)
    {
        await Host.CreateAgentAsync(username, WidgetAgent.AllSkills);
        var console = await ConsoleAsync(username, bypassCsp: axe, initScript: PageScript);
        await SetStatusAsync(console, "online");
        return console;
    }

    /// <summary>A customer presses Mayday (opens /mayday) and the agent accepts in the console.</summary>
    protected async Task<IPage> MaydayAsync(IPage console, bool axe = false)
    {
        var customer = await OpenAsync(Device, CustomerContext(axe), PageScript);
        var offer = console.Locator(".offer");
        await Expect(offer).ToContainTextAsync("Fire HD 10");
        await offer.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        return customer;
    }

    /// <summary>A customer's browser; <paramref name="axe"/> lets axe-core be injected despite the page's CSP.</summary>
    protected static BrowserNewContextOptions CustomerContext(bool axe = false) =>
        new() { ViewportSize = new() { Width = 1280, Height = 800 }, BypassCSP = axe };

    /// <summary>Waits for a condition read from a page.</summary>
    protected static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(100);
        }
    }

    protected static ILocator AgentVideo(IPage customer) => customer.Locator(".stage__video");

    protected static ILocator SharedScreen(IPage console) => console.Locator(".call__video--screen");

    /// <summary>The agent drags the mouse across the shared screen in the console, in coordinates normalised to the picture.</summary>
    protected static async Task DrawAsync(IPage console, (double X, double Y) from, (double X, double Y) to, int steps = 12)
    {
        var picture = await CallProbe.PictureAsync(SharedScreen(console));
        (double, double) At((double X, double Y) p) => (picture.X + p.X * picture.Width, picture.Y + p.Y * picture.Height);
        var (x0, y0) = At(from);
        var (x1, y1) = At(to);
        await console.Mouse.MoveAsync((float)x0, (float)y0);
        await console.Mouse.DownAsync();
        await console.Mouse.MoveAsync((float)x1, (float)y1, new() { Steps = steps });
        await console.Mouse.UpAsync();
    }

    protected static async Task PointAsync(IPage console, (double X, double Y) at)
    {
        var picture = await CallProbe.PictureAsync(SharedScreen(console));
        await console.Mouse.ClickAsync((float)(picture.X + at.X * picture.Width), (float)(picture.Y + at.Y * picture.Height));
    }
}
