using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveHelp.Client;
using LiveHelp.Core;
using LiveHelp.Core.Contracts;
using LiveHelp.Core.Conversations;
using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>What the console tests share: opening and signing in to the console, customers driven by the .NET SDK, axe-core.</summary>
public abstract class ConsoleTest(BrowserFixture fixture) : BrowserTest(fixture), IAsyncLifetime
{
    protected static readonly BrowserNewContextOptions Desktop = new() { ViewportSize = new() { Width = 1440, Height = 900 } };

    private readonly List<CustomerProbe> _customers = [];

    /// <summary>The console in a new context, signed in as <paramref name="username"/> (the test host's password scheme).</summary>
    protected async Task<IPage> ConsoleAsync(
        string username, string? password = null, bool bypassCsp = false, string path = "/console", string? initScript = null, bool notifications = false)
    {
        var page = await OpenAsync(path, new BrowserNewContextOptions
        {
            ViewportSize = Desktop.ViewportSize,
            BypassCSP = bypassCsp,
            Permissions = notifications ? ["notifications"] : [],
        }, initScript);
        await SignInAsync(page, username, password ?? (username == "admin" ? LiveHelpHost.AdminPassword : LiveHelpHost.Password(username)));
        return page;
    }

    protected static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".conn")).ToHaveTextAsync("Connected");
    }

    protected static async Task SetStatusAsync(IPage page, string status)
    {
        await page.Locator("#status").SelectOptionAsync(status);
        await Expect(page.Locator($"#status.status-select--{status}")).ToBeVisibleAsync();
    }

    /// <summary>A customer on the .NET SDK who has pressed the help button.</summary>
    protected async Task<CustomerProbe> CustomerAsync(RequestHelpInput input, VisitorIdentity? identity = null, CustomerClient? client = null)
    {
        client ??= await CustomerClient.ConnectAsync(Host.BaseUri, identity);
        var probe = new CustomerProbe(client);
        _customers.Add(probe);
        var result = await client.RequestHelpAsync(input);
        probe.ConversationId = result.Conversation?.Id ?? throw new InvalidOperationException($"no conversation: {result.Status}");
        return probe;
    }

    protected static RequestHelpInput Help(string name, string details = "My order has not arrived", string topic = "general") => new()
    {
        Topic = topic,
        Mode = HelpMode.Chat,
        Name = name,
        Email = name.Split(' ')[0].ToLowerInvariant() + "@example.com",
        Details = details,
        PageUrl = "https://shop.example.com/orders/42",
        OrderId = "A-1042",
        DeviceModel = "Kindle Fire HD 10",
        DeviceOs = "Fire OS 8.3",
        AppVersion = "5.1.2",
    };

    protected async Task<HttpClient> AdminHttpAsync() => Host.Http(await Host.SignInAsync("admin", LiveHelpHost.AdminPassword));

    protected async Task SetCannedAsync(params object[] responses)
    {
        using var admin = await AdminHttpAsync();
        (await admin.PutAsJsonAsync("/api/canned-responses", responses)).EnsureSuccessStatusCode();
    }

    protected async Task<VisitorIdentity> VerifiedAsync(string userId, string name)
    {
        using var admin = await AdminHttpAsync();
        var secret = (await admin.GetFromJsonAsync<JsonElement>("/api/settings/identity-secret")).GetProperty("secret").GetString()!;
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));
        return new VisitorIdentity { UserId = userId, UserHash = hash, Name = name };
    }

    /// <summary>Runs axe-core in the page: no serious or critical violations.</summary>
    protected static async Task AssertAccessibleAsync(IPage page, string what)
    {
        if (await page.EvaluateAsync<bool>("() => typeof window.axe === 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = AxePath });
        }
        var json = await page.EvaluateAsync<string>(@"async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return JSON.stringify(result.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })));
        }");
        Assert.True(json == "[]", $"axe-core found serious or critical problems on {what}: {json}");
    }

    private static string AxePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "web-widget", "node_modules", "axe-core", "axe.min.js");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException("axe-core is not installed: run npm ci in web-widget (the server build does).");
        }
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    /// <summary>Waits for a condition on SDK-side state (events arrive on other threads).</summary>
    protected static async Task EventuallyAsync(Func<bool> condition, string what, int timeoutMs = 10000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The element is shown whole inside the page's viewport, where a person sees it without scrolling.</summary>
    protected static async Task AssertOnScreenAsync(IPage page, ILocator element, string what)
    {
        var box = await element.BoundingBoxAsync() ?? throw new InvalidOperationException(what + " is not shown");
        var screen = page.ViewportSize!;
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= screen.Width + 0.5 && box.Y + box.Height <= screen.Height + 0.5,
            $"{what} is at ({box.X:0}, {box.Y:0}), {box.Width:0}×{box.Height:0}: not inside the {screen.Width}×{screen.Height} screen");
    }

    protected static ILocator Log(IPage page) => page.Locator(".col--chat [role=log]");

    protected static ILocator ConversationItem(IPage page, string customerName) =>
        page.Locator("button.conv").Filter(new() { Has = page.Locator(".conv__name", new() { HasTextString = customerName }) });

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var customer in _customers)
        {
            await customer.Client.DisposeAsync();
        }
        await DisposeAsync();
    }
}

/// <summary>A customer's SDK client with what it has been told, recorded for assertions.</summary>
public sealed class CustomerProbe
{
    private readonly object _gate = new();
    private readonly List<Message> _messages = [];
    private readonly List<TypingNotice> _typing = [];
    private readonly List<ConversationClosed> _closed = [];

    public CustomerProbe(CustomerClient client)
    {
        Client = client;
        client.MessageReceived += (_, m) => { lock (_gate) { _messages.Add(m); } };
        client.Typing += (_, n) => { lock (_gate) { _typing.Add(n); } };
        client.ConversationClosed += (_, n) => { lock (_gate) { _closed.Add(n); } };
    }

    public CustomerClient Client { get; }

    public string ConversationId { get; set; } = "";

    public IReadOnlyList<Message> Messages { get { lock (_gate) { return _messages.ToList(); } } }

    public IReadOnlyList<TypingNotice> TypingNotices { get { lock (_gate) { return _typing.ToList(); } } }

    public bool Closed { get { lock (_gate) { return _closed.Count > 0; } } }

    public bool Received(string text) => Messages.Any(m => m.Text == text);

    public Task<Message> SayAsync(string text) => Client.SendMessageAsync(ConversationId, text);
}
