using Contacts.Data;
using Contacts.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacts.Tests.Auth;

/// <summary>Keys, their hashes and Authorization headers never reach the logs, even at Trace level.</summary>
public sealed class KeyLoggingTests : IAsyncLifetime
{
    private LoggedApp _logged = null!;

    public async Task InitializeAsync() => _logged = await LoggedApp.StartAsync("--Logging:LogLevel:Default=Trace", "--Auth:LastUsedFlushSeconds=1");

    public Task DisposeAsync() => _logged.DisposeAsync().AsTask();

    [Fact]
    public async Task NeitherValidNorInvalidKeysNorTheirHashesAppearInLogs()
    {
        var company = await new TestData(_logged.Database).CompanyAsync();
        var (_, unknownKey) = ApiKeys.Generate();
        using (var valid = _logged.App.ClientWithKey(company.Key))
        {
            Assert.True((await valid.GetAsync("/api/v1/contacts?search=x")).IsSuccessStatusCode);
            Assert.True((await valid.GetAsync("/api/v1/contacts/tags")).IsSuccessStatusCode);
        }
        using (var invalid = _logged.App.ClientWithKey(unknownKey))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await invalid.GetAsync("/api/v1/contacts")).StatusCode);
        }
        await _logged.App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<Contacts.Auth.KeyUsage>().Single().FlushAsync(CancellationToken.None);

        Assert.NotEmpty(_logged.Entries);
        string[] secrets =
        [
            company.Key, company.Key[16..], unknownKey, unknownKey[16..],
            Convert.ToHexString(ApiKeys.Hash(company.Key)), Convert.ToHexStringLower(ApiKeys.Hash(company.Key)),
            Convert.ToBase64String(ApiKeys.Hash(company.Key)),
        ];
        foreach (var entry in _logged.Entries)
        {
            foreach (var secret in secrets) Assert.DoesNotContain(secret, entry.Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Bearer ck_", entry.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

}
