using Contacts.Data;
using Contacts.Demo;
using Contacts.Data.Import;

namespace Contacts.Tests.Generation;

public sealed class ContactGeneratorTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 30, 45, 678, DateTimeKind.Utc);
    private static readonly IReadOnlyList<ImportTag> CompanyTags = ContactGenerator.Tags(11, 25);
    private static readonly List<ImportRecord> TenThousand = [.. ContactGenerator.Contacts(11, 10_000, CompanyTags, Now)];

    [Fact]
    public void SameSeedGivesTheSameOutput()
    {
        var first = ContactGenerator.Contacts(42, 2_000, ContactGenerator.Tags(42, 30), Now).Select(Describe).ToList();
        var second = ContactGenerator.Contacts(42, 2_000, ContactGenerator.Tags(42, 30), Now).Select(Describe).ToList();
        var other = ContactGenerator.Contacts(43, 2_000, ContactGenerator.Tags(42, 30), Now).Select(Describe).ToList();

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(ContactGenerator.Tags(42, 30), ContactGenerator.Tags(42, 30));
    }

    [Fact]
    public void ProducesCountRecordsNumberedFromOneWithoutIds()
    {
        Assert.Equal(10_000, TenThousand.Count);
        for (var i = 0; i < TenThousand.Count; i++)
        {
            Assert.Equal(i + 1, TenThousand[i].Line);
            Assert.Null(TenThousand[i].Id);
        }
        Assert.Empty(ContactGenerator.Contacts(1, 0, CompanyTags, Now));
    }

    [Fact]
    public void SharesOfMissingAndOptionalFieldsAreAsSpecified()
    {
        double Share(Func<ImportRecord, bool> predicate) => TenThousand.Count(predicate) / (double)TenThousand.Count;

        Assert.InRange(Share(r => r.Email is null), 0.07, 0.13);
        Assert.InRange(Share(r => r.FirstName is null && r.LastName is null), 0.03, 0.07);
        Assert.InRange(Share(r => r.PhoneNumberLid is not null), 0.25, 0.35);
        Assert.InRange(Share(r => r.ProfilePicture is not null), 0.55, 0.65);
        Assert.All(TenThousand, r => Assert.Equal(r.FirstName is null, r.LastName is null));
    }

    [Fact]
    public void PhonesLidsAndEmailsAreUniqueAndWellFormed()
    {
        var records = ContactGenerator.Contacts(5, 100_000, CompanyTags, Now).ToList();

        var phones = records.Select(r => r.PhoneNumber!).ToList();
        Assert.All(phones, p => Assert.Matches(@"^[1-9][0-9]{9,14}$", p));
        Assert.Equal(phones.Count, phones.Distinct(StringComparer.Ordinal).Count());

        var lids = records.Where(r => r.PhoneNumberLid is not null).Select(r => r.PhoneNumberLid!).ToList();
        Assert.All(lids, l => Assert.Matches(@"^[1-9][0-9]{14}@lid$", l));
        Assert.Equal(lids.Count, lids.Distinct(StringComparer.Ordinal).Count());

        var emails = records.Where(r => r.Email is not null).Select(r => r.Email!).ToList();
        Assert.All(emails, e => Assert.Matches(@"^[a-z0-9._]+@[a-z0-9.]+$", e));
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.OrdinalIgnoreCase).Count());

        Assert.All(records.Where(r => r.ProfilePicture is not null),
            r => Assert.Equal($"https://cdn.example.com/avatars/{r.Line}.jpg", r.ProfilePicture));
    }

    [Fact]
    public void LatinEmailsComeFromTheNamesWithoutAccents()
    {
        var jose = TenThousand.First(r => r.FirstName == "José" && r.Email is not null && !r.Email.StartsWith("j.", StringComparison.Ordinal));
        Assert.StartsWith("jose", jose.Email, StringComparison.Ordinal);
        var lukasz = TenThousand.First(r => r.FirstName == "Łukasz" && r.Email is not null && !r.Email.StartsWith("l.", StringComparison.Ordinal));
        Assert.StartsWith("lukasz", lukasz.Email, StringComparison.Ordinal);
        Assert.All(TenThousand.Where(r => r.FirstName is not null && !IsLatin(r.FirstName) && r.Email is not null),
            r => Assert.StartsWith($"user{r.Line}@", r.Email, StringComparison.Ordinal));
    }

    [Fact]
    public void DatesAreUtcMillisecondsWithinThreeYearsBeforeNow()
    {
        var start = Now.AddYears(-3).AddMilliseconds(-1);
        foreach (var r in TenThousand)
        {
            var created = r.CreatedAt!.Value;
            var updated = r.UpdatedAt!.Value;
            Assert.Equal(DateTimeKind.Utc, created.Kind);
            Assert.Equal(DateTimeKind.Utc, updated.Kind);
            Assert.Equal(0L, created.Ticks % TimeSpan.TicksPerMillisecond);
            Assert.Equal(0L, updated.Ticks % TimeSpan.TicksPerMillisecond);
            Assert.InRange(created, start, Now);
            Assert.InRange(updated, created, Now);
        }
        var unchanged = TenThousand.Count(r => r.UpdatedAt == r.CreatedAt) / (double)TenThousand.Count;
        Assert.InRange(unchanged, 0.45, 0.55);
        Assert.True(TenThousand.Min(r => r.CreatedAt) < Now.AddYears(-3).AddDays(30));
        Assert.True(TenThousand.Max(r => r.CreatedAt) > Now.AddDays(-30));
    }

    [Fact]
    public void ContactsHaveZeroToFourDistinctTagsFromTheCompanySet()
    {
        var byName = CompanyTags.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var r in TenThousand)
        {
            Assert.InRange(r.Tags.Count, 0, 4);
            Assert.Equal(r.Tags.Count, r.Tags.Select(t => SearchText.Fold(t.Name)).Distinct(StringComparer.Ordinal).Count());
            Assert.All(r.Tags, t => Assert.Equal(byName[t.Name].Color, t.Color));
        }
        Assert.All(Enumerable.Range(0, 5), k => Assert.Contains(TenThousand, r => r.Tags.Count == k));

        var twoTags = ContactGenerator.Tags(3, 2);
        var few = ContactGenerator.Contacts(3, 2_000, twoTags, Now).ToList();
        Assert.All(few, r => Assert.InRange(r.Tags.Count, 0, 2));
        Assert.All(few, r => Assert.Equal(r.Tags.Count, r.Tags.Distinct().Count()));
        Assert.Contains(few, r => r.Tags.Count == 2);
        Assert.All(ContactGenerator.Contacts(3, 500, [], Now), r => Assert.Empty(r.Tags));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(46)]
    [InlineData(300)]
    public void TagNamesAreUniqueIgnoringCaseAndAccentsAndHaveHexColours(int count)
    {
        var tags = ContactGenerator.Tags(9, count);

        Assert.Equal(count, tags.Count);
        Assert.Equal(count, tags.Select(t => SearchText.Fold(t.Name)).Distinct(StringComparer.Ordinal).Count());
        Assert.All(tags, t => Assert.False(string.IsNullOrWhiteSpace(t.Name)));
        Assert.All(tags, t => Assert.Matches("^#[0-9a-f]{6}$", t.Color));
    }

    [Fact]
    public void EveryLocaleAppears()
    {
        var firstNames = TenThousand.Where(r => r.FirstName is not null).Select(r => r.FirstName!).ToList();

        Assert.Contains(firstNames, n => n.All(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z'));
        Assert.Contains(firstNames, n => n.Any(c => c is >= '\u00c0' and <= '\u024f' or >= '\u1e00' and <= '\u1eff'));
        Assert.Contains(firstNames, n => n.Any(c => c is >= '\u0400' and <= '\u04ff'));
        Assert.Contains(firstNames, n => n.Any(c => c is >= '\u0370' and <= '\u03ff'));
        Assert.Contains(firstNames, n => n.Any(c => c is >= '\u3040' and <= '\u30ff' or >= '\u4e00' and <= '\u9fff'));
        Assert.Contains(firstNames, n => n.Any(c => c is >= '\u0600' and <= '\u06ff'));
        Assert.Contains("José", firstNames);
        Assert.Contains("Élodie", firstNames);
    }

    [Fact]
    public void AMillionRecordsStreamLazily()
    {
        var line = 0;
        foreach (var r in ContactGenerator.Contacts(1, 1_000_000, CompanyTags, Now).Take(200_000))
        {
            Assert.Equal(++line, r.Line);
        }
        Assert.Equal(200_000, line);
    }

    [Fact]
    public void InvalidArgumentsAreRejectedEagerly()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ContactGenerator.Contacts(1, -1, CompanyTags, Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContactGenerator.Contacts(1, ContactGenerator.MaxCount + 1, CompanyTags, Now));
        Assert.Throws<ArgumentNullException>(() => ContactGenerator.Contacts(1, 1, null!, Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContactGenerator.Tags(1, -1));
    }

    private static bool IsLatin(string name) => name.All(c => c < '\u0250' || c is >= '\u1e00' and <= '\u1eff');

    private static string Describe(ImportRecord r) =>
        string.Join('|', r.Line, r.Id, r.FirstName, r.LastName, r.Email, r.PhoneNumber, r.PhoneNumberLid, r.ProfilePicture,
            r.CreatedAt?.ToString("O"), r.UpdatedAt?.ToString("O"), string.Join(',', r.Tags.Select(t => $"{t.Name}={t.Color}")));
}
