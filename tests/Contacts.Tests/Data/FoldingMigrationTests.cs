using System.Text;
using Contacts.Data;
using Contacts.Tests.Infrastructure;

namespace Contacts.Tests.Data;

/// <summary>
/// The migrations that bring stored folded columns to the rule of docs/search.md (postgres 0006, sqlite 0005): rows
/// folded by the earlier rule come out as SearchText.Fold of their source columns, and tags that the new rule makes
/// equal keep their ids, the later ones renamed.
/// </summary>
public sealed class FoldingMigrationTests
{
    private static readonly (string First, string Last)[] Names =
    [
        ("مُحَمَّد", "الأَحْمَد"), ("علی", "کریمی"), ("زهرۀ", "ۀَ"), ("שָׁלוֹם", "כֹּהֵן"), ("कुमार", "क़ासिम"), ("น้ำฝน", "ใจดี"),
        ("がくと", "ｻﾄｳ"), ("José", "Łukasz"), ("Straße", "İstanbul"), ("plain", "ascii"), ("a\U000E0100b", "❤️"),
    ];

    [Fact]
    public async Task SqliteRecomputesColumnsFoldedByTheEarlierRule()
    {
        await using var database = await TestDatabase.SqliteAsync();
        var db = database.Db;
        var company = await CompanyQueries.CreateAsync(db, "Folding");
        var contacts = new List<long>();
        long first, second, unrelated;
        await using (var connection = await db.OpenAsync())
        {
            foreach (var (firstName, lastName) in Names)
            {
                await using var insert = db.Command(connection, """
                    INSERT INTO contact (company_id, first_name, last_name, created_at, updated_at, search_text, phone_digits)
                    VALUES (@company, @first, @last, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', @search, '') RETURNING id
                    """);
                ContactsDatabase.AddParameter(insert, "@company", company.Id);
                ContactsDatabase.AddParameter(insert, "@first", firstName);
                ContactsDatabase.AddParameter(insert, "@last", lastName);
                ContactsDatabase.AddParameter(insert, "@search", EarlierFold($"{firstName} {lastName}{SearchText.FieldSeparator}{SearchText.FieldSeparator}{SearchText.FieldSeparator}"));
                contacts.Add(Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
            }
            first = await InsertTagAsync(connection, "أحمد");
            second = await InsertTagAsync(connection, "احمد");
            unrelated = await InsertTagAsync(connection, "عملاء");
            await using var forget = db.Command(connection, "DELETE FROM schema_migration WHERE version = 5");
            await forget.ExecuteNonQueryAsync();
        }

        Assert.Contains(await Migrator.MigrateAsync(db), m => m.Version == 5);

        await using (var connection = await db.OpenAsync())
        {
            for (var i = 0; i < Names.Length; i++)
            {
                await using var read = db.Command(connection, "SELECT search_text FROM contact WHERE id = @id");
                ContactsDatabase.AddParameter(read, "@id", contacts[i]);
                Assert.Equal(SearchText.ForContact(Names[i].First, Names[i].Last, null, null, null), (string)(await read.ExecuteScalarAsync())!);
            }
            Assert.Equal(("أحمد", "احمد"), await TagAsync(connection, first));
            Assert.Equal(($"احمد ({second})", $"احمد ({second})"), await TagAsync(connection, second));
            Assert.Equal(("عملاء", SearchText.Fold("عملاء")), await TagAsync(connection, unrelated));
            // The full-text index followed the rewritten rows.
            await using var fts = db.Command(connection, "SELECT count(*) FROM contact_search WHERE contact_search MATCH @term");
            ContactsDatabase.AddParameter(fts, "@term", "\"محمد\"");
            Assert.Equal(1L, (long)(await fts.ExecuteScalarAsync())!);
        }

        async Task<long> InsertTagAsync(System.Data.Common.DbConnection connection, string name)
        {
            await using var insert = db.Command(connection,
                "INSERT INTO tag (company_id, name, created_at, name_folded) VALUES (@company, @name, '2025-01-01T00:00:00.000Z', @folded) RETURNING id");
            ContactsDatabase.AddParameter(insert, "@company", company.Id);
            ContactsDatabase.AddParameter(insert, "@name", name);
            ContactsDatabase.AddParameter(insert, "@folded", EarlierFold(name));
            return Convert.ToInt64(await insert.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        async Task<(string, string)> TagAsync(System.Data.Common.DbConnection connection, long id)
        {
            await using var read = db.Command(connection, "SELECT name, name_folded FROM tag WHERE id = @id");
            ContactsDatabase.AddParameter(read, "@id", id);
            await using var reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return (reader.GetString(0), reader.GetString(1));
        }
    }

    [SkippableFact]
    public async Task PostgresRecomputesTheGeneratedColumns()
    {
        var server = await PostgresServer.SharedAsync();
        Skip.If(server.UnavailableReason is not null, server.UnavailableReason);
        await using var database = await TestDatabase.PostgresAsync(server);
        var db = database.Db;
        var company = await CompanyQueries.CreateAsync(db, "Folding");
        var data = new TestData(database);
        await using (var connection = await db.OpenAsync())
        {
            // Back to the earlier rule of 0001, so that the rows below are stored as a database of before 0006 holds them.
            var initial = Migrator.Available(DatabaseProvider.Postgres).First(m => m.Version == 1).Sql;
            var start = initial.IndexOf("CREATE FUNCTION contacts_fold", StringComparison.Ordinal);
            var end = initial.IndexOf("$$;", initial.IndexOf("AS $$", start, StringComparison.Ordinal) + 5, StringComparison.Ordinal) + 3;
            await using var earlier = db.Command(connection, initial[start..end].Replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", StringComparison.Ordinal));
            await earlier.ExecuteNonQueryAsync();
        }
        var contacts = new List<long>();
        foreach (var (first, last) in Names) contacts.Add(await data.ContactAsync(company.Id, first, last));
        var firstTag = await data.TagAsync(company.Id, "أحمد");
        var secondTag = await data.TagAsync(company.Id, "احمد");
        var tagged = await data.ContactAsync(company.Id, "Tagged", null, tags: [firstTag, secondTag]);
        await using (var connection = await db.OpenAsync())
        {
            await using var stored = db.Command(connection, "SELECT search_text FROM contact WHERE id = @id");
            ContactsDatabase.AddParameter(stored, "@id", contacts[0]);
            Assert.NotEqual(SearchText.ForContact(Names[0].First, Names[0].Last, null, null, null), (string)(await stored.ExecuteScalarAsync())!);
            await using var forget = db.Command(connection, "DELETE FROM schema_migration WHERE version = 6");
            await forget.ExecuteNonQueryAsync();
        }

        Assert.Contains(await Migrator.MigrateAsync(db), m => m.Version == 6);

        await using (var connection = await db.OpenAsync())
        {
            for (var i = 0; i < Names.Length; i++)
            {
                await using var read = db.Command(connection, "SELECT search_text FROM contact WHERE id = @id");
                ContactsDatabase.AddParameter(read, "@id", contacts[i]);
                Assert.Equal(SearchText.ForContact(Names[i].First, Names[i].Last, null, null, null), (string)(await read.ExecuteScalarAsync())!);
            }
            await using var tags = db.Command(connection, "SELECT id, name, name_folded FROM tag WHERE company_id = @company ORDER BY id");
            ContactsDatabase.AddParameter(tags, "@company", company.Id);
            await using var reader = await tags.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((firstTag, "أحمد", "احمد"), (reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            Assert.True(await reader.ReadAsync());
            Assert.Equal((secondTag, $"احمد ({secondTag})", $"احمد ({secondTag})"), (reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }
        await using (var connection = await db.OpenAsync())
        {
            await using var links = db.Command(connection, "SELECT count(*) FROM contact_tag WHERE contact_id = @id");
            ContactsDatabase.AddParameter(links, "@id", tagged);
            Assert.Equal(2L, (long)(await links.ExecuteScalarAsync())!);
        }
    }

    /// <summary>The rule before docs/search.md (SearchText.Fold up to sqlite 0004 and postgres 0005): what such a database stores.</summary>
    private static string EarlierFold(string value)
    {
        var decomposed = value.ToLowerInvariant().Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (c is >= '\u0300' and <= '\u036f' or >= '\u1ab0' and <= '\u1aff' or >= '\u1dc0' and <= '\u1dff' or >= '\u20d0' and <= '\u20ff' or >= '\ufe20' and <= '\ufe2f') continue;
            builder.Append(c);
        }
        return builder.ToString().ToLowerInvariant().Replace("ø", "o").Replace("ł", "l").Replace("đ", "d").Replace("ħ", "h").Replace("ŧ", "t")
            .Replace("ı", "i").Replace("ς", "σ").Replace("ß", "ss").Replace("æ", "ae").Replace("œ", "oe");
    }
}
