using LiveHelp.Server.Tests;
using Microsoft.Playwright;

namespace LiveHelp.Browser.Tests;

/// <summary>The console's sign-in page when someone keeps guessing an agent's password.</summary>
public sealed class ConsoleSignInTests(BrowserFixture fixture) : ConsoleTest(fixture)
{
    [Fact]
    public async Task After_repeated_wrong_passwords_the_console_says_to_wait_even_for_the_right_one()
    {
        await Host.CreateAgentAsync("ann", ["general"]);
        var page = await OpenAsync("/console", Desktop);
        var alert = page.Locator(".signin .form-error");

        for (var i = 0; i < 5; i++)
        {
            await TrySignInAsync(page, $"guess-{i}");
            await Expect(alert).ToHaveTextAsync("Wrong username or password.");
        }
        await TrySignInAsync(page, LiveHelpHost.Password("ann"));

        await Expect(alert).ToHaveTextAsync("Too many failed sign-ins. Please wait a few minutes and try again.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeEnabledAsync();
        await Expect(page.Locator(".conn")).ToHaveCountAsync(0);
    }

    private static async Task TrySignInAsync(IPage page, string password)
    {
        await page.GetByLabel("Username").FillAsync("ann");
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
