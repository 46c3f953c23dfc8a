using System.Text.Json;
using Contacts.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Contacts.Tests.Cors;

/// <summary>
/// A page served from another origin calls the API with a key through fetch, in a real headless Chromium, which
/// enforces CORS itself: a listed origin reads the body and the exposed headers; any other origin, and every origin
/// when Api:Cors:AllowedOrigins is not set, is refused by the browser.
/// </summary>
public sealed class CorsBrowserTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    // Runs in the page: the app's own fetch, with the key in the Authorization header (which makes the browser send a preflight).
    private const string FetchWithKey = """
        async ([url, key]) => {
          try {
            const response = await fetch(url, { headers: { Authorization: 'Bearer ' + key } });
            return JSON.stringify({ status: response.status, link: response.headers.get('Link'),
              requestId: response.headers.get('X-Request-Id'), remaining: response.headers.get('RateLimit-Remaining'),
              body: await response.text() });
          } catch (error) {
            return JSON.stringify({ error: String(error) });
          }
        }
        """;

    [SkippableFact]
    public async Task PageOnAnAllowedOriginReadsTheContactsAndTheLinkHeader()
    {
        HeadlessChromium.SkipIfMissing("CORS browser test");
        await using var page = await PageServer.StartAsync();
        await using var api = await TestApp.StartAsync(fixture.Database, $"--Api:Cors:AllowedOrigins:0={page.Origin}");
        var company = await CompanyWithTwoContactsAsync();

        var answer = await FetchFromPageAsync(page, new Uri(api.Address, "/api/v1/contacts?limit=1"), company.Key);

        Assert.False(answer.TryGetProperty("error", out var error), $"the browser refused the call: {error}");
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        using var body = JsonDocument.Parse(answer.GetProperty("body").GetString()!);
        Assert.Equal("Cors-Browser", body.RootElement.GetProperty("data")[0].GetProperty("last_name").GetString());
        Assert.Contains("rel=\"next\"", answer.GetProperty("link").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", answer.GetProperty("requestId").GetString());
        Assert.NotNull(answer.GetProperty("remaining").GetString());
    }

    [SkippableFact]
    public async Task PageOnAnOriginNotListedIsRefusedByTheBrowser()
    {
        HeadlessChromium.SkipIfMissing("CORS browser test");
        await using var listed = await PageServer.StartAsync();
        await using var other = await PageServer.StartAsync();
        await using var api = await TestApp.StartAsync(fixture.Database, $"--Api:Cors:AllowedOrigins:0={listed.Origin}");
        var company = await CompanyWithTwoContactsAsync();

        var answer = await FetchFromPageAsync(other, new Uri(api.Address, "/api/v1/contacts?limit=1"), company.Key);

        Assert.Contains("Failed to fetch", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task WithoutAllowedOriginsEveryCrossOriginCallIsRefusedByTheBrowser()
    {
        HeadlessChromium.SkipIfMissing("CORS browser test");
        await using var page = await PageServer.StartAsync();
        var company = await CompanyWithTwoContactsAsync();

        var answer = await FetchFromPageAsync(page, new Uri(fixture.App.Address, "/api/v1/contacts?limit=1"), company.Key);

        Assert.Contains("Failed to fetch", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task<TestCompany> CompanyWithTwoContactsAsync()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ada", "Cors-Browser");
        await fixture.Data.ContactAsync(company.Id, "Grace", "Cors-Browser");
        return company;
    }

    private static async Task<JsonElement> FetchFromPageAsync(PageServer page, Uri url, string key)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var tab = await browser.NewPageAsync();
        await tab.GotoAsync(page.Origin + "/");
        var json = await tab.EvaluateAsync<string>(FetchWithKey, new[] { url.ToString(), key });
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
