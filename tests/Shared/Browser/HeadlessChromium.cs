using Microsoft.Playwright;

namespace LiveHelp.Testing;

/// <summary>
/// Debian's Chromium, headless, with the fake camera, microphone and screen: how the browser tests and the benchmark
/// tool launch it. (In a folder of its own: only projects that reference Playwright compile it.)
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"This needs Debian's chromium at {ExecutablePath}: run ./test.sh, which installs it.");
        }
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--auto-select-desktop-capture-source=Entire screen",
            ],
        });
    }
}
