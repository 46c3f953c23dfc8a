using System.Collections.Concurrent;
using Contacts.Data;
using System.Net;
using System.Text.Json;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Api;

/// <summary>Requests and assertions shared by the contract tests of both endpoints.</summary>
internal static class ContractAssert
{
    public const string ContactsPath = "/api/v1/contacts";
    public const string TagsPath = "/api/v1/contacts/tags";

    public static TheoryData<string> BothPaths => new(ContactsPath, TagsPath);

    /// <summary>An RFC 9457 body with type, title, status, detail and traceId.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
        return problem;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> PageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    public static List<long> Ids(JsonElement page) =>
        [.. page.GetProperty("data").EnumerateArray().Select(item => long.Parse(item.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture))];

    public static string Search(string path, string term) => $"{path}?limit=100&search={Uri.EscapeDataString(term)}";

    public static void NotCachedNotSniffedNoServer(HttpResponseMessage response) => NotSniffedNoServer(response, "no-store");

    /// <summary>A 200 of the API: a client may keep it but asks again before using it (with its ETag), no shared cache may.</summary>
    public static void RevalidatedNotSniffedNoServer(HttpResponseMessage response)
    {
        NotSniffedNoServer(response, "private, no-cache");
        Assert.NotNull(response.Headers.ETag);
    }

    private static void NotSniffedNoServer(HttpResponseMessage response, string cacheControl)
    {
        Assert.Equal(cacheControl, string.Join(", ", response.Headers.NonValidated["Cache-Control"])); // as sent: the parsed value reorders
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(response.Headers.Contains("Server"));
    }
}

/// <summary>Every error is problem+json with a traceId, is never cached, and a 500 never shows what went wrong inside.</summary>
public abstract class ErrorTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    /// <summary>A database of the same provider that only this test uses (it breaks it).</summary>
    protected abstract Task<TestDatabase> OwnDatabaseAsync();

    [SkippableFact]
    public async Task UnknownPathUnderTheApiIsNotFoundAsProblemJson()
    {
        var company = await Data.CompanyAsync();
        using var client = App.ClientWithKey(company.Key);

        using var response = await client.GetAsync(new Uri("/api/v1/contacts/42/unknown", UriKind.Relative));

        await ContractAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [InlineData("/api/v1/contacts?page=abc", true, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/contacts/tags?limit=0", true, HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/contacts", false, HttpStatusCode.Unauthorized)]
    [InlineData("/api/v1/contacts/tags", false, HttpStatusCode.Unauthorized)]
    [InlineData("/api/v1/contacts/42/unknown", true, HttpStatusCode.NotFound)]
    public async Task ErrorResponsesAreNeverCachedNorSniffedAndNameNoServer(string url, bool withKey, HttpStatusCode status)
    {
        var company = await Data.CompanyAsync();
        using var client = withKey ? App.ClientWithKey(company.Key) : new HttpClient { BaseAddress = App.Address };

        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));

        await ContractAssert.ProblemAsync(response, status);
        ContractAssert.NotCachedNotSniffedNoServer(response);
    }

    [SkippableTheory]
    [InlineData("/api/v1/contacts?page=abc", true)]
    [InlineData("/api/v1/contacts", false)]
    [InlineData("/api/v1/contacts/42/unknown", true)]
    public async Task TraceIdIsTheW3CTraceIdTheRequestCarriedSoTheLogsCanBeSearchedForIt(string url, bool withKey)
    {
        var company = await Data.CompanyAsync();
        using var client = withKey ? App.ClientWithKey(company.Key) : new HttpClient { BaseAddress = App.Address };
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(traceId, (await ContractAssert.JsonAsync(response)).GetProperty("traceId").GetString());
    }

    [SkippableFact]
    public async Task MethodNotAllowedIsNeverCachedNorSniffedAndNamesNoServer()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ContractAssert.ContactsPath, UriKind.Relative));

        using var response = await App.Client.SendAsync(request);

        await ContractAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        ContractAssert.NotCachedNotSniffedNoServer(response);
    }

    [SkippableFact]
    public async Task InternalErrorIsProblemJsonWithATraceIdAndNoExceptionText()
    {
        Ci.SkipIf(fixture.SkipReason is not null, fixture.SkipReason);
        await using var database = await OwnDatabaseAsync();
        var errorLog = new ConcurrentQueue<string>();
        await using var app = await TestApp.StartAsync(database, builder => builder.Logging.AddProvider(new ErrorLog(errorLog)));
        var company = await new TestData(database).CompanyAsync();
        // A contact, so that the list reads the contact table (an empty company's total comes from its counter alone).
        await new TestData(database).ContactAsync(company.Id, "Someone");
        using var client = app.ClientWithKey(company.Key);
        using (var before = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await using (var connection = await database.Db.OpenAsync())
        await using (var drop = database.Db.Command(connection, (database.Db.Provider == DatabaseProvider.Postgres) ? "DROP TABLE contact CASCADE" : "DROP TABLE contact"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        using var response = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));

        await ContractAssert.ProblemAsync(response, HttpStatusCode.InternalServerError);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "SQLite", "Npgsql", "Postgres", "no such table", "does not exist", "SELECT", "contact c", "Exception", "   at " })
        {
            Assert.DoesNotContain(leak, body, StringComparison.OrdinalIgnoreCase);
        }
        ContractAssert.NotCachedNotSniffedNoServer(response);
        var traceId = (await ContractAssert.JsonAsync(response)).GetProperty("traceId").GetString()!;
        Assert.Contains(errorLog, line => line.StartsWith($"Unhandled exception (traceId {traceId})", StringComparison.Ordinal) && line.Contains("   at ", StringComparison.Ordinal));
    }

    /// <summary>The text of every Error log entry with its exception, to find a 500 by the trace id its body gave.</summary>
    private sealed class ErrorLog(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue($"{formatter(state, exception)} {exception}");
        }

        public void Dispose()
        {
        }
    }
}

public sealed class SqliteErrorTests(SqliteAppFixture fixture) : ErrorTests(fixture), IClassFixture<SqliteAppFixture>
{
    protected override async Task<TestDatabase> OwnDatabaseAsync() => await TestDatabase.SqliteAsync();
}

public sealed class PostgresErrorTests(PostgresAppFixture fixture) : ErrorTests(fixture), IClassFixture<PostgresAppFixture>
{
    protected override async Task<TestDatabase> OwnDatabaseAsync() => await TestDatabase.PostgresAsync(await PostgresServer.SharedAsync());
}

/// <summary>
/// A PostgreSQL server that goes away: 503 with Retry-After, promptly, and 200 again once it is back.
/// Uses its own server so that stopping it disturbs no other test.
/// </summary>
public sealed class PostgresUnavailableDatabaseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [SkippableFact]
    public async Task UnreachableDatabaseAnswers503WithRetryAfterAndTheServiceRecoversWhenItIsBack()
    {
        var server = new PostgresServer();
        try
        {
            await server.InitializeAsync();
            Ci.SkipIf(server.UnavailableReason is not null, server.UnavailableReason);
            await using var database = await TestDatabase.PostgresAsync(server);
            await using var app = await TestApp.StartAsync(database, "--Database:ConnectTimeoutSeconds=2", "--Database:CommandTimeoutSeconds=2");
            var company = await new TestData(database).CompanyAsync();
            await new TestData(database).ContactAsync(company.Id, "Jane", "Doe");
            var notYetUsed = await new TestData(database).CompanyAsync();
            using var client = app.ClientWithKey(company.Key);
            client.Timeout = Bound;
            using (var before = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            await server.StopAsync();
            using var unavailable = await FirstAnswerAsync(client, HttpStatusCode.ServiceUnavailable);
            await ContractAssert.ProblemAsync(unavailable, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(unavailable.Headers.RetryAfter);
            Assert.True(unavailable.Headers.RetryAfter!.Delta > TimeSpan.Zero || unavailable.Headers.RetryAfter.Date is not null);
            ContractAssert.NotCachedNotSniffedNoServer(unavailable);
            // a key the service has not verified yet cannot be checked either: that is a 503 too, not a 401
            using (var uncached = app.ClientWithKey(notYetUsed.Key))
            {
                uncached.Timeout = Bound;
                using var response = await uncached.GetAsync(new Uri(ContractAssert.TagsPath, UriKind.Relative));
                await ContractAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                Assert.NotNull(response.Headers.RetryAfter);
            }

            await server.StartAsync();
            using var recovered = await FirstAnswerAsync(client, HttpStatusCode.OK);
            Assert.Equal(1, (await ContractAssert.JsonAsync(recovered)).GetProperty("totalRecords").GetInt64());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Asks until the expected status comes, within the bound; any other status in between must be 503 or 200.</summary>
    private static async Task<HttpResponseMessage> FirstAnswerAsync(HttpClient client, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var response = await client.GetAsync(new Uri(ContractAssert.ContactsPath, UriKind.Relative));
            if (response.StatusCode == expected) return response;
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable });
            response.Dispose();
            Assert.True(DateTime.UtcNow < deadline, $"no {(int)expected} within {Bound.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
