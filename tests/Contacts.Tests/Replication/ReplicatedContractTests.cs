using Contacts.Tests.Api;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Replication;

// The contract suite once more, reads served by a hot standby: row-level security and the transaction-local company
// setting on a read-only server, key lookups there, paging and search through the standby's indexes and counters.

public sealed class ReplicatedPagingTests(ReplicatedAppFixture fixture) : PagingTests(fixture), IClassFixture<ReplicatedAppFixture>;

public sealed class ReplicatedSearchTests(ReplicatedAppFixture fixture) : SearchTests(fixture), IClassFixture<ReplicatedAppFixture>;

public sealed class ReplicatedIsolationTests(ReplicatedAppFixture fixture) : IsolationTests(fixture), IClassFixture<ReplicatedAppFixture>;

public class ReplicatedUncachedKeysFixture : ReplicatedAppFixture
{
    protected override string[] ExtraSettings => ["--Auth:CacheSeconds=0"];
}

public sealed class ReplicatedAuthenticationTests(ReplicatedUncachedKeysFixture fixture)
    : AuthenticationTests(fixture), IClassFixture<ReplicatedUncachedKeysFixture>;

/// <summary>That the replicated contract classes above do read from the standby, and not from the primary.</summary>
public sealed class ReplicatedContractRoutingTests(ReplicatedAppFixture fixture) : IClassFixture<ReplicatedAppFixture>
{
    [SkippableFact]
    public async Task ContractRequestsAreServedByTheStandby()
    {
        var company = await fixture.Data.CompanyAsync();
        await fixture.Data.ContactAsync(company.Id, "Ada", "Lovelace");
        var standby = fixture.Replicas.Standbys[0];
        var (standbyReads, primaryReads) = (standby.Reads, fixture.Replicas.Primary.Reads);
        using var client = fixture.App.ClientWithKey(company.Key);

        var page = await ContractAssert.PageAsync(client, ContractAssert.ContactsPath);

        Assert.Equal(1, page.GetProperty("totalRecords").GetInt64());
        Assert.Equal(standbyReads + 2, standby.Reads); // the key lookup and the page
        Assert.Equal(primaryReads, fixture.Replicas.Primary.Reads);
    }
}

/// <summary>The change feed's contract with polls on the standby: each cursor carries the WAL position its node had seen.</summary>
public sealed class ReplicatedChangeFeedTests(ReplicatedAppFixture fixture) : ChangeFeedTests(fixture), IClassFixture<ReplicatedAppFixture>;
