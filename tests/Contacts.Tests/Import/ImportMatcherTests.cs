using Contacts.Data.Import;

namespace Contacts.Tests.Import;

/// <summary>The import's decisions without a database: what matches what, what is refused, what is unchanged.</summary>
public sealed class ImportMatcherTests
{
    private const long Company = 7, OtherCompany = 8;
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
    private static readonly DateTime Created = new(2025, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    private static ImportRecord Record(int line, long? id = null, string? phone = null, string? email = null, string? first = "Ann",
        DateTime? created = null, DateTime? updated = null) =>
        new(line, id, first, "Lee", email, phone, null, null, created, updated, []);

    private static ExistingContact Existing(long id, long company = Company, string? phone = null, string? email = null, string? first = "Ann") =>
        new(id, company, first, "Lee", email, phone, null, null, Created, Created);

    private static Dictionary<long, ExistingContact> Rows(params ExistingContact[] rows) => rows.ToDictionary(r => r.Id);

    [Fact]
    public void ARecordWithoutAMatchIsInserted()
    {
        var decision = Assert.Single(new ImportMatcher(Company).Match([Record(1, phone: "+1")], Rows()));
        Assert.IsType<ImportDecision.Insert>(decision);
    }

    [Fact]
    public void IdMatchesBeforePhoneAndPhoneBeforeEmail()
    {
        var rows = Rows(Existing(10, phone: "+1"), Existing(11, email: "a@x.io"), Existing(12));
        var decisions = new ImportMatcher(Company).Match(
            [Record(1, id: 12, phone: "+1"), Record(2, phone: "+1", email: "a@x.io"), Record(3, email: "a@x.io")], rows);
        Assert.Equal(12, Assert.IsType<ImportDecision.Update>(decisions[0]).Target.Id);
        Assert.Equal(10, Assert.IsType<ImportDecision.Update>(decisions[1]).Target.Id);
        // Line 3 matches contact 11, which no earlier line claimed.
        Assert.Equal(11, Assert.IsType<ImportDecision.Update>(decisions[2]).Target.Id);
    }

    [Fact]
    public void TheOldestContactWinsWhenSeveralShareAPhoneNumber()
    {
        var decision = Assert.Single(new ImportMatcher(Company).Match([Record(1, phone: "+1")], Rows(Existing(30, phone: "+1"), Existing(20, phone: "+1"))));
        Assert.Equal(20, Assert.IsType<ImportDecision.Update>(decision).Target.Id);
    }

    [Fact]
    public void AnIdOfAnotherCompanyIsRejectedAndNeverMatchedByPhone()
    {
        var rows = Rows(Existing(40, OtherCompany, phone: "+9"));
        var decisions = new ImportMatcher(Company).Match([Record(1, id: 40), Record(2, phone: "+9")], rows);
        Assert.Equal("id 40 is already used by another company's contact", Assert.IsType<ImportDecision.Reject>(decisions[0]).Reason);
        Assert.IsType<ImportDecision.Insert>(decisions[1]);
    }

    [Fact]
    public void TwoLinesClaimingTheSameContactAcrossBatchesRejectTheSecond()
    {
        var matcher = new ImportMatcher(Company);
        var rows = Rows(Existing(50, phone: "+5"));
        Assert.IsType<ImportDecision.Update>(Assert.Single(matcher.Match([Record(3, phone: "+5")], rows)));
        var second = Assert.IsType<ImportDecision.Reject>(Assert.Single(matcher.Match([Record(2001, id: 50)], rows)));
        Assert.Equal("matches the same contact as line 3", second.Reason);
    }

    [Fact]
    public void TwoNewRecordsWithTheSameExplicitIdRejectTheSecond()
    {
        var decisions = new ImportMatcher(Company).Match([Record(1, id: 60), Record(2, id: 60)], Rows());
        Assert.IsType<ImportDecision.Insert>(decisions[0]);
        Assert.Equal("matches the same contact as line 1", Assert.IsType<ImportDecision.Reject>(decisions[1]).Reason);
    }

    [Fact]
    public void AnIdenticalRecordIsUnchanged()
    {
        Assert.Null(ImportMatcher.Changes(Record(1, phone: "+1"), Existing(1, phone: "+1"), tagsChanged: false, Now));
    }

    [Fact]
    public void ChangedTagsAloneMakeAnUpdateStampedWithTheImportTime()
    {
        var row = ImportMatcher.Changes(Record(1, phone: "+1"), Existing(1, phone: "+1"), tagsChanged: true, Now);
        Assert.NotNull(row);
        Assert.Equal((Created, Now), (row.CreatedAt, row.UpdatedAt));
    }

    [Fact]
    public void AChangedFieldKeepsCreatedAtAndTakesAnExplicitUpdatedAtToTheMillisecond()
    {
        var updated = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(12_345);
        var row = ImportMatcher.Changes(Record(1, first: "Anne", updated: updated), Existing(1), tagsChanged: false, Now);
        Assert.NotNull(row);
        Assert.Equal(Created, row.CreatedAt);
        Assert.Equal(new DateTime(2025, 6, 1, 0, 0, 0, 1, DateTimeKind.Utc), row.UpdatedAt);
    }

    [Fact]
    public void OnlyADifferentExplicitUpdatedAtIsAChange()
    {
        Assert.Null(ImportMatcher.Changes(Record(1, updated: Created), Existing(1), tagsChanged: false, Now));
        Assert.NotNull(ImportMatcher.Changes(Record(1, updated: Created.AddSeconds(1)), Existing(1), tagsChanged: false, Now));
    }

    [Fact]
    public void ANewRowDefaultsCreatedAtToTheImportTimeAndUpdatedAtToCreatedAt()
    {
        var fresh = ImportMatcher.NewRow(5, Record(1), Now);
        Assert.Equal((5L, Now, Now), (fresh.Id, fresh.CreatedAt, fresh.UpdatedAt));
        var dated = ImportMatcher.NewRow(6, Record(2, created: Created), Now);
        Assert.Equal((Created, Created), (dated.CreatedAt, dated.UpdatedAt));
    }
}
