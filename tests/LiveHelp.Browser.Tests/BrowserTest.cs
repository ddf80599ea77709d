using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>A real LiveHelp server per test and pages in the shared Chromium; screenshots go to TestResults/screenshots.</summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private readonly List<IBrowserContext> _contexts = [];

    protected LiveHelpHost Host { get; private set; } = null!;

    protected IBrowser Browser => fixture.Browser;

    /// <summary>Script errors seen on any page of this test: a test fails on them at the end.</summary>
    protected List<string> PageErrors { get; } = [];

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync() => Host = await LiveHelpHost.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
        await Host.DisposeAsync();
        Assert.Empty(PageErrors);
    }

    /// <summary>
    /// A page in a fresh browser context (its own storage, like another person's browser), opened at <paramref name="path"/>;
    /// <paramref name="initScript"/> runs in every page of the context before the page's own scripts.
    /// </summary>
    protected async Task<IPage> OpenAsync(string path, BrowserNewContextOptions? options = null, string? initScript = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        _contexts.Add(context);
        if (initScript is not null)
        {
            await context.AddInitScriptAsync(initScript);
        }
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => PageErrors.Add(error);
        await page.GotoAsync(new Uri(Host.LocalhostUri, path).ToString());
        return page;
    }

    protected static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }
}
