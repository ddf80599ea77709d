using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>What the widget and Mayday page tests share: finding the widget's parts, chatting, axe-core.</summary>
public abstract class WidgetTestBase : BrowserTest
{
    protected WidgetTestBase(BrowserFixture fixture)
        : base(fixture) => Assertions.SetDefaultExpectTimeout(15_000);

    internal static ILocator Launcher(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Chat with us" });

    /// <summary>The launcher while nobody is online.</summary>
    internal static ILocator MessageLauncher(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Leave us a message" });

    internal static ILocator Panel(IPage page) => page.GetByRole(AriaRole.Dialog, new() { Name = "Chat with us" });

    protected static ILocator Log(IPage page) => page.GetByRole(AriaRole.Log);

    internal static ILocator Bubbles(IPage page, string text) => page.Locator(".msg .bubble", new() { HasTextString = text });

    protected static ILocator Banner(IPage page) => page.Locator(".banner");

    /// <summary>Opens the widget from the launcher and fills the pre-chat form; only the topic is required.</summary>
    internal static async Task StartChatAsync(IPage page, string topic = "billing", string? details = null, string? name = null, string? email = null)
    {
        await Launcher(page).ClickAsync();
        await page.GetByLabel("Topic").SelectOptionAsync(topic);
        if (details is not null)
        {
            await page.GetByLabel("How can we help?").FillAsync(details);
        }
        if (name is not null)
        {
            await page.GetByLabel("Your name").FillAsync(name);
        }
        if (email is not null)
        {
            await page.GetByLabel("Email").FillAsync(email);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
    }

    /// <summary>Types into the composer and presses Enter, as a customer would.</summary>
    internal static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        // Exactly that text: the question from the pre-chat form is a line of the customer's own and may contain it.
        await Assertions.Expect(page.Locator(".msg.mine[data-seq] .bubble").Filter(new() { HasTextRegex = new Regex("^" + Regex.Escape(text) + "$") })).ToHaveCountAsync(1);
    }

    /// <summary>A file of the repository, found by walking up from the test binaries to LiveHelp.sln.</summary>
    internal static string RepositoryPath(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHelp.sln")))
        {
            directory = directory.Parent;
        }
        if (directory is null)
        {
            throw new InvalidOperationException("LiveHelp.sln not found above " + AppContext.BaseDirectory);
        }
        return Path.Combine([directory.FullName, .. parts]);
    }

    /// <summary>
    /// Runs axe-core (from web-widget/node_modules, installed by the build) on the whole page, open shadow roots
    /// included, and fails on serious or critical violations. The page's context must bypass CSP for the injection.
    /// </summary>
    protected static async Task AssertAccessibleAsync(IPage page, string state)
    {
        var axe = RepositoryPath("web-widget", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(axe), $"axe-core is missing at {axe}: run npm ci in web-widget");
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = axe });
        }
        var violations = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.map(n => JSON.stringify(n.target) + ': ' + n.failureSummary) }));
            }
            """);
        var found = violations.EnumerateArray().Select(v => v.ToString()).ToList();
        Assert.True(found.Count == 0, $"axe-core found serious or critical violations ({state}):\n" + string.Join("\n", found));
    }

    /// <summary>A context that lets Playwright inject axe-core despite the page's Content-Security-Policy.</summary>
    protected static BrowserNewContextOptions AxeContext(int width = 1280, int height = 800) =>
        new() { BypassCSP = true, ViewportSize = new() { Width = width, Height = height } };

    protected static Task<bool> XssFiredAsync(IPage page) => page.EvaluateAsync<bool>("() => window.__xss !== undefined");
}
