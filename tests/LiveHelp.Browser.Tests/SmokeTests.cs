namespace LiveHelp.Browser.Tests;

public sealed class SmokeTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task Demo_page_loads_from_the_server()
    {
        var page = await OpenAsync("/");

        Assert.Equal(200, (await page.GotoAsync(Host.LocalhostUri.ToString()))!.Status);
    }
}
