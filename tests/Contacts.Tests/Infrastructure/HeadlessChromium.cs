using Microsoft.Playwright;

namespace Contacts.Tests.Infrastructure;

/// <summary>Debian's Chromium, headless, driven by Playwright; a test that needs it is skipped (or fails under CI) without it.</summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static void SkipIfMissing(string test) =>
        Ci.SkipIf(!File.Exists(ExecutablePath), $"Chromium not found at {ExecutablePath}: install Debian's chromium package (apt-get install chromium) to run the {test}.");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    });
}
