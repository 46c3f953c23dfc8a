using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Data;

/// <summary>
/// SQLite's tag counters are keyed by (company, tag) (migration 0007): a writer with foreign keys off that links a
/// contact to another company's tag id cannot move that company's count as the API shows it.
/// </summary>
public sealed class SqliteTagCountByCompanyTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task ARowClaimingAnotherCompanysTagIdLeavesThatCompanysCountAlone()
    {
        var victim = await fixture.Data.CompanyAsync();
        var intruder = await fixture.Data.CompanyAsync();
        var tag = await fixture.Data.TagAsync(victim.Id, "Vip");
        await fixture.Data.ContactAsync(victim.Id, "Real", tags: [tag]);
        var stranger = await fixture.Data.ContactAsync(intruder.Id, "Stranger");
        var intruderTag = await fixture.Data.TagAsync(intruder.Id, "Own");

        await using (var connection = await fixture.Database.Db.OpenAsync())
        {
            await using var command = fixture.Database.Db.Command(connection, $"""
                PRAGMA foreign_keys = OFF;
                INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES ({intruder.Id}, {stranger}, {tag});
                DELETE FROM contact_tag WHERE company_id = {intruder.Id} AND tag_id = {tag};
                INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES ({intruder.Id}, {stranger}, {tag});
                UPDATE contact_tag SET tag_id = {intruderTag} WHERE company_id = {intruder.Id} AND contact_id = {stranger};
                INSERT INTO contact_tag (company_id, contact_id, tag_id) VALUES ({intruder.Id}, {stranger}, {tag});
                PRAGMA foreign_keys = ON;
                """);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(new Dictionary<long, long> { [tag] = 1 }, await fixture.App.TagCountsAsync(victim));
        Assert.Equal(new Dictionary<long, long> { [intruderTag] = 1 }, await fixture.App.TagCountsAsync(intruder));
    }

}
