using Contacts.Data.Contacts;
using Microsoft.Extensions.Time.Testing;

namespace Contacts.Tests.Search;

/// <summary>A cached search total not validated for an hour is dropped, on the database's clock.</summary>
public sealed class SearchTotalsAgeTests
{
    [Fact]
    public void ATotalIsFoundUntilItHasGoneUnvalidatedForMaxAge()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var totals = new SearchTotals(SearchTotals.DefaultCapacity, clock);
        totals.Set(1, "an", new SearchTotals.Entry(7, 5, 20));

        clock.Advance(SearchTotals.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Equal(5, totals.Find(1, "an")?.Total);
        totals.Set(1, "an", new SearchTotals.Entry(8, 5, 20)); // validated again: its age starts over

        clock.Advance(SearchTotals.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Equal(8, totals.Find(1, "an")?.Since);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(totals.Find(1, "an"));
    }
}
