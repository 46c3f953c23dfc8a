using System.Net;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Api;

/// <summary>The wire contract of both endpoints, run against SQLite and PostgreSQL.</summary>
public abstract class ContactsApiTests(AppFixture fixture)
{
    protected TestData Data => fixture.Data;

    protected TestApp App => fixture.App;

    [SkippableFact]
    public async Task ContactsResponseHasTheSeedExampleShapeByteForByte()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6");
        var lead = await Data.TagAsync(company.Id, "Lead", "#e63946");
        var jane = await Data.ContactAsync(company.Id, "Jane", "Doe", "jane@example.com", "1234567890", null,
            "https://cdn.example.com/avatars/jane.jpg", new DateTime(2025, 8, 1, 10, 0, 0, DateTimeKind.Utc),
            new DateTime(2025, 9, 15, 8, 30, 0, DateTimeKind.Utc), lead, vip);

        using var client = App.ClientWithKey(company.Key);
        var response = await client.GetAsync("/api/v1/contacts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("private, no-cache", string.Join(", ", response.Headers.NonValidated["Cache-Control"]));
        var expected =
            "{\"data\":[{\"id\":\"" + jane + "\",\"first_name\":\"Jane\",\"last_name\":\"Doe\",\"email\":\"jane@example.com\"," +
            "\"phone_number\":\"1234567890\",\"phone_number_lid\":null,\"profile_picture\":\"https://cdn.example.com/avatars/jane.jpg\"," +
            "\"created_at\":\"2025-08-01T10:00:00.000Z\",\"updated_at\":\"2025-09-15T08:30:00.000Z\",\"tags\":[" +
            "{\"id\":\"" + vip + "\",\"name\":\"VIP\",\"color\":\"#1156d6\"},{\"id\":\"" + lead + "\",\"name\":\"Lead\",\"color\":\"#e63946\"}]}]," +
            "\"currentPage\":1,\"totalPages\":1,\"totalRecords\":1}";
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task TagsResponseHasTheSeedExampleShapeByteForByte()
    {
        var company = await Data.CompanyAsync();
        var vip = await Data.TagAsync(company.Id, "VIP", "#1156d6", new DateTime(2025, 6, 10, 9, 0, 0, DateTimeKind.Utc));
        var lead = await Data.TagAsync(company.Id, "Lead", "#e63946", new DateTime(2025, 7, 22, 14, 15, 0, DateTimeKind.Utc));
        for (var i = 0; i < 3; i++) await Data.ContactAsync(company.Id, "A", "B", $"a{i}@x.test", tags: [vip]);
        await Data.ContactAsync(company.Id, "C", "D", "c@x.test", tags: [vip, lead]);

        using var client = App.ClientWithKey(company.Key);
        var response = await client.GetAsync("/api/v1/contacts/tags");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected =
            "{\"data\":[{\"id\":\"" + vip + "\",\"name\":\"VIP\",\"color\":\"#1156d6\",\"created_at\":\"2025-06-10T09:00:00.000Z\",\"_count\":{\"contact_tag\":4}}," +
            "{\"id\":\"" + lead + "\",\"name\":\"Lead\",\"color\":\"#e63946\",\"created_at\":\"2025-07-22T14:15:00.000Z\",\"_count\":{\"contact_tag\":1}}]," +
            "\"currentPage\":1,\"totalPages\":1,\"totalRecords\":2}";
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteContactsApiTests(SqliteAppFixture fixture) : ContactsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresContactsApiTests(PostgresAppFixture fixture) : ContactsApiTests(fixture), IClassFixture<PostgresAppFixture>;
