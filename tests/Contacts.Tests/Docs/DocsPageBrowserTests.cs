using System.Collections.Concurrent;
using Contacts.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Contacts.Tests.Docs;

/// <summary>
/// /docs in a real headless Chromium (Debian's package, driven by Playwright): both endpoints listed, one authenticated
/// try-it call answered with the company's data, and no request leaving the service's origin.
/// </summary>
public sealed class DocsPageBrowserTests(SqliteAppFixture fixture, ITestOutputHelper output) : IClassFixture<SqliteAppFixture>
{
    /// <summary>Where the screenshot of the answered try-it call lands (the page before it: docs-page-reference.png beside it).</summary>
    public static string ScreenshotPath => Path.Combine(ToolProcess.RepositoryRoot(), "TestResults", "docs-page.png");

    [SkippableFact]
    public async Task PersonPastesAKeyAndTriesTheContactsEndpointWithoutAnyRequestLeavingTheService()
    {
        HeadlessChromium.SkipIfMissing("docs page browser test");
        var company = await fixture.Data.CompanyAsync();
        var vip = await fixture.Data.TagAsync(company.Id, "VIP", "#1156d6");
        await fixture.Data.ContactAsync(company.Id, "Philippa", "Quennell-Docs", "philippa@example.test", "+44 20 7946 0001", tags: [vip]);
        var origin = fixture.App.Address.GetLeftPart(UriPartial.Authority);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var requests = new ConcurrentQueue<string>();
        var foreign = new ConcurrentQueue<string>();
        var apiAuthorizations = new ConcurrentQueue<string>();
        // Every request the page makes passes here; one to any other origin is recorded and never sent.
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            requests.Enqueue(route.Request.Url);
            if (url.GetLeftPart(UriPartial.Authority) != origin)
            {
                foreign.Enqueue(route.Request.Url);
                await route.AbortAsync();
                return;
            }
            if (url.AbsolutePath == "/api/v1/contacts") apiAuthorizations.Enqueue(route.Request.Headers.GetValueOrDefault("authorization") ?? "");
            await route.ContinueAsync();
        });
        var page = await context.NewPageAsync();
        var consoleErrors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") consoleErrors.Enqueue(message.Text);
        };
        output.WriteLine($"{watch.ElapsedMilliseconds} ms: browser started");
        page.SetDefaultTimeout(10_000);

        try
        {
            await page.GotoAsync(origin + "/docs");
            await page.GetByText("List contacts", new() { Exact = true }).First.WaitForAsync();
            await page.GetByText("List contact tags", new() { Exact = true }).First.WaitForAsync();
            output.WriteLine($"{watch.ElapsedMilliseconds} ms: page lists both endpoints");
            Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.ChangeExtension(ScreenshotPath, null) + "-reference.png" });
            // As a person would: paste the key into the page's authentication box, open the operation's client, send.
            await page.GetByPlaceholder("Token").First.FillAsync(company.Key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Test Request" }).First.ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).First.ClickAsync();
            await page.GetByText("200 OK").First.WaitForAsync();
            await page.GetByText("\"Quennell-Docs\"").First.WaitForAsync();
            output.WriteLine($"{watch.ElapsedMilliseconds} ms: try-it answered with the contact");
        }
        finally
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath });
            foreach (var url in requests) output.WriteLine("request: " + url);
            foreach (var error in consoleErrors) output.WriteLine("console error: " + error);
        }
        Assert.Empty(foreign);
        Assert.DoesNotContain(consoleErrors, error => error.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["Bearer " + company.Key], apiAuthorizations);
    }
}
