using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using LiveHelp.Testing;
using Microsoft.Playwright;

namespace LiveHelp.Benchmarks.Scenarios;

/// <summary>
/// What the widget costs a site: the bytes of the loader, the full widget and the console as one node serves them, and
/// how long the demo shop takes, in a cold headless Chromium, from the loader's script tag to a visible launcher.
/// </summary>
internal static class WidgetWeight
{
    private const int Patience = 30_000;

    /// <summary>
    /// Runs before the page's own scripts: stamps the loader's script element when the parser inserts it, the
    /// launcher's host element when the loader attaches it, and the first animation frame in which the launcher (inside
    /// the open shadow root) is rendered with a size. Times are performance.now(), i.e. since navigation start.
    /// </summary>
    private const string Probe =
        """
        (() => {
          const bench = window.__bench = { script: null, attached: null, visible: null };
          const launcher = () => document.querySelector('livehelp-widget')?.shadowRoot?.querySelector('.launcher') ?? null;
          const check = () => {
            const button = launcher();
            if (button && button.checkVisibility() && button.getBoundingClientRect().width > 0) bench.visible = performance.now();
            else requestAnimationFrame(check);
          };
          new MutationObserver((records) => {
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (bench.script === null && node instanceof HTMLScriptElement && /\/livehelp\.js(\?|#|$)/.test(node.src)) bench.script = performance.now();
                if (bench.attached === null && node instanceof Element && node.localName === 'livehelp-widget') {
                  bench.attached = performance.now();
                  requestAnimationFrame(check);
                }
              }
            }
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    private static readonly (string Path, string What)[] Assets =
    [
        ("/livehelp.js", "Loader (`/livehelp.js`): what every page of the site loads"),
        ("/livehelp-widget.js", "Full widget (`/livehelp-widget.js`): fetched on the first open"),
        ("/console.js", "Console (`/console.js`): agents only"),
        ("/", "For scale: the demo shop's own HTML (`/`)"),
    ];

    public static async Task<Section> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var loads = options.Smoke ? 3 : 20;
        await using var deployment = await Deployment.StartAsync(1);
        var node = deployment.Nodes[0].Uri;
        var section = new Section("Widget weight and time to the launcher");

        var sizes = section.Table("Asset", "raw KB", "gzip KB", "raw bytes", "gzip bytes");
        var encodings = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) })
        {
            foreach (var (path, what) in Assets)
            {
                // As a browser asks: does the node compress on its own?
                using (var asked = new HttpRequestMessage(HttpMethod.Get, path))
                {
                    asked.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
                    using var compressed = await http.SendAsync(asked, ct);
                    encodings.UnionWith(compressed.Content.Headers.ContentEncoding);
                }
                using var response = await http.GetAsync(path, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"widget weight: GET {path}: {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                if (response.Content.Headers.ContentEncoding.Count > 0)
                {
                    throw new InvalidOperationException($"widget weight: GET {path} without Accept-Encoding came {string.Join(",", response.Content.Headers.ContentEncoding)}-encoded");
                }
                var raw = await response.Content.ReadAsByteArrayAsync(ct);
                var gzipped = Gzip(raw);
                sizes.Row(what, Kb(raw.Length), Kb(gzipped), raw.Length, gzipped);
            }
        }
        var balancer = Path.Combine(Deployment.RepositoryRoot(), "deploy", "haproxy.cfg");
        var proxyCompresses = File.Exists(balancer) && (await File.ReadAllTextAsync(balancer, ct)).Contains("compression algo", StringComparison.Ordinal);
        var served = encodings.Count > 0
            ? $"The node compresses them itself when asked (`Content-Encoding: {string.Join(", ", encodings)}`), so a browser downloads about the gzip column."
            : proxyCompresses
                ? "The node sends them uncompressed even to a browser that accepts gzip; the HAProxy configuration in `deploy/` compresses them, so a visitor behind it downloads about the gzip column."
                : "The node sends them uncompressed even to a browser that accepts gzip, and the HAProxy configuration in `deploy/` does not turn compression on, so as shipped a visitor downloads the raw size; the gzip column is what compression in front (a proxy or CDN) would send.";

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var script = new Latencies(loads);
        var attached = new Latencies(loads);
        var visible = new Latencies(loads);
        var fromNavigation = new Latencies(loads);
        var domReady = new Latencies(loads);
        var loaded = new Latencies(loads);
        var ratios = new List<double>(loads);
        for (var run = -1; run < loads; run++)
        {
            ct.ThrowIfCancellationRequested();
            var label = run < 0 ? "the warm-up load" : $"load {run + 1} of {loads}";
            var t = await LoadAsync(browser, node, label);
            if (run < 0)
            {
                continue;
            }
            script.Add(Ticks(t.Script));
            attached.Add(Ticks(t.Attached - t.Script));
            visible.Add(Ticks(t.Visible - t.Script));
            fromNavigation.Add(Ticks(t.Visible));
            domReady.Add(Ticks(t.DomContentLoaded));
            loaded.Add(Ticks(t.Load));
            ratios.Add(t.Visible / t.DomContentLoaded);
        }

        var floor = domReady.Summarize();
        var times = section.Table("From → to", "runs", "p50 ms", "max ms", "× floor");
        void Row(string what, Latencies samples)
        {
            var s = samples.Summarize();
            times.Row(what, s.Count, s.P50, s.Max, (s.P50 / floor.P50).ToString("0.00", CultureInfo.InvariantCulture) + "×");
        }
        Row("Floor: navigation start → the demo page's DOMContentLoaded", domReady);
        Row("Navigation start → the page's load event", loaded);
        Row("Navigation start → the loader's `<script>` parsed into the page", script);
        Row("Loader `<script>` parsed → launcher attached to the page", attached);
        Row("Loader `<script>` parsed → launcher visible", visible);
        Row("Navigation start → launcher visible", fromNavigation);
        ratios.Sort();
        var medianRatio = ratios[(int)Math.Ceiling(0.5 * ratios.Count) - 1];

        section.Say(
            "Sizes are the bodies one node serves over HTTP, gzipped here with .NET's `GZipStream` at `CompressionLevel.Optimal`; " +
            $"KB = 1024 bytes. {served} A visitor who never opens the widget " +
            "downloads only the loader; the full widget comes on the first open, or at once when a conversation is already under way. " +
            "The repository sets no size budget: `web-widget/build.mjs` prints the gzipped sizes at every build but enforces none.");
        section.Say(
            $"Each of the {loads} loads of the demo shop (`/`) is a new browser context, so a cold cache, in the same headless Chromium on " +
            "loopback, after one untimed warm-up load. An init script stamps `performance.now()` (milliseconds since navigation start) when " +
            "the parser inserts the `<script src=\"/livehelp.js\" async>` element, when the loader attaches its `<livehelp-widget>` element " +
            "(a MutationObserver), and in the first animation frame after that in which the launcher button inside the widget's shadow root " +
            "is rendered with a size (`checkVisibility()` and a non-empty box), i.e. the frame that paints it. " +
            $"The floor is the same page's own DOMContentLoaded. The launcher is visible {medianRatio.ToString("0.00", CultureInfo.InvariantCulture)}× " +
            "as long after navigation start as DOMContentLoaded takes (median of the per-load ratios).");
        return section;
    }

    private static async Task<Timings> LoadAsync(IBrowser browser, Uri node, string label)
    {
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await context.AddInitScriptAsync(Probe);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        try
        {
            var response = await page.GotoAsync(node.ToString(), new() { Timeout = Patience, WaitUntil = WaitUntilState.Load });
            if (response is null || !response.Ok)
            {
                throw new InvalidOperationException($"widget weight, {label}: opening {node}: {(response is null ? "no response" : response.Status.ToString(CultureInfo.InvariantCulture))}");
            }
            await page.WaitForFunctionAsync("() => window.__bench.visible !== null", null, new() { Timeout = Patience, PollingInterval = 20 });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            string seen;
            try
            {
                seen = await page.EvaluateAsync<string>("() => JSON.stringify(window.__bench)");
            }
            catch (PlaywrightException unreadable)
            {
                seen = "stamps unreadable: " + unreadable.Message;
            }
            throw new TimeoutException($"widget weight, {label}: the launcher did not become visible ({seen}): {e.Message}", e);
        }
        var stamps = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              return { ...window.__bench, domContentLoaded: nav.domContentLoadedEventStart, load: nav.loadEventStart };
            }
            """);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"widget weight, {label}: script errors in the demo page: {string.Join(" | ", errors)}");
        }
        double Stamp(string name) => stamps.GetProperty(name).ValueKind == JsonValueKind.Number
            ? stamps.GetProperty(name).GetDouble()
            : throw new InvalidOperationException($"widget weight, {label}: no '{name}' stamp in {stamps}");
        return new Timings(Stamp("script"), Stamp("attached"), Stamp("visible"), Stamp("domContentLoaded"), Stamp("load"));
    }

    private static int Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return (int)buffer.Length;
    }

    private static string Kb(int bytes) => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static long Ticks(double milliseconds) => (long)Math.Round(milliseconds * Stopwatch.Frequency / 1000.0);

    /// <summary>Milliseconds since navigation start.</summary>
    private readonly record struct Timings(double Script, double Attached, double Visible, double DomContentLoaded, double Load);
}
