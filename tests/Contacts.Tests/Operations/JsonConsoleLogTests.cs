using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Contacts.Data;
using Contacts.Operations;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Operations;

/// <summary>
/// Logging__Console__FormatterName=json turns the console into one JSON object per line, request lines included.
/// Runs the real executable (its console is its own) with the setting as an environment variable, as an operator would.
/// </summary>
public sealed class JsonConsoleLogTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task JsonFormatterWritesEveryConsoleLineAsJsonWithTheRequestFields()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var company = await new TestData(database).CompanyAsync();
        Assert.True(ApiKeys.TryParse(company.Key, out var keyId));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "contacts.dll"), "serve", "--urls=http://127.0.0.1:0",
                     "--Database:Provider=sqlite", $"--ConnectionStrings:Contacts={database.ConnectionString}" })
            start.ArgumentList.Add(arg);
        start.Environment["Logging__Console__FormatterName"] = "json";
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        var lines = new BlockingCollection<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        try
        {
            var listening = Next(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
            var address = listening.GetProperty("State").GetProperty("address").GetString()!;
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Bound };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", company.Key);
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/contacts?search=Secret%20Term", UriKind.Relative));
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var line = Next(lines, l => l.Contains(traceId, StringComparison.Ordinal));

            Assert.Equal(RequestLogging.Category, line.GetProperty("Category").GetString());
            Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
            var state = line.GetProperty("State");
            Assert.Equal("GET", state.GetProperty("Method").GetString());
            Assert.Equal("/api/v1/contacts", state.GetProperty("Path").GetString());
            Assert.Equal(200, state.GetProperty("StatusCode").GetInt32());
            Assert.True(state.GetProperty("DurationMs").ValueKind is JsonValueKind.Number or JsonValueKind.String);
            Assert.Equal(keyId, state.GetProperty("KeyId").GetString());
            Assert.Equal(traceId, state.GetProperty("TraceId").GetString());
            Assert.DoesNotContain("Secret", line.GetRawText(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The next console line that matches; every line on the way must be a JSON object.</summary>
    private static JsonElement Next(BlockingCollection<string> lines, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            string? line = null;
            Assert.True(left > TimeSpan.Zero && lines.TryTake(out line, left), "no matching console line in time");
            using var document = JsonDocument.Parse(line!);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            if (match(line!)) return document.RootElement.Clone();
        }
    }
}
