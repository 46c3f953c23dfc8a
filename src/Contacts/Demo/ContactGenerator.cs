using System.Globalization;
using System.Text;
using Contacts.Data.Import;

namespace Contacts.Demo;

/// <summary>
/// Deterministic, streaming generator of realistic multilingual contacts for demos and benchmarks.
/// Output depends only on the arguments (own PCG32, no System.Random), so it is identical across runs,
/// machines and .NET versions. Record n does not depend on count: a shorter run is a prefix of a longer one.
/// </summary>
public static class ContactGenerator
{
    /// <summary>The largest count for which phone numbers are guaranteed unique (the smallest numbering plan below).</summary>
    public const int MaxCount = 100_000_000;

    private const ulong ContactStream = 0x0c0ffee;
    private const ulong TagStream = 0x7a65;

    private const ulong LidBase = 100_000_000_000_000;
    private const ulong LidRange = 900_000_000_000_000;
    private static readonly ulong LidMultiplier = GoldenMultiplier(LidRange);

    /// <summary>The tag set of a company: count distinct tags (unique under <see cref="SearchText.Fold"/>), each with a "#rrggbb" colour.</summary>
    public static IReadOnlyList<ImportTag> Tags(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return [];
        var rng = new Pcg32(seed, TagStream);
        var words = (string[])Data.TagWords.Clone();
        for (var i = words.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (words[i], words[j]) = (words[j], words[i]);
        }
        var tags = new ImportTag[count];
        for (var i = 0; i < count; i++)
        {
            var round = i / words.Length;
            var word = words[i % words.Length];
            var name = round == 0 ? word : string.Create(CultureInfo.InvariantCulture, $"{word} {round + 1}");
            tags[i] = new ImportTag(name, Data.Colors[rng.Next(Data.Colors.Length)]);
        }
        return tags;
    }

    /// <summary>
    /// count contacts (Line = 1-based index, Id = null), deterministic for (seed, tags, now).
    /// Phones, LIDs and emails are unique within one call. Enumerated lazily; nothing is buffered.
    /// </summary>
    public static IEnumerable<ImportRecord> Contacts(int seed, int count, IReadOnlyList<ImportTag> tags, DateTime now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        ArgumentNullException.ThrowIfNull(tags);
        return Enumerate(new Factory(seed, tags, now), count);
    }

    private static IEnumerable<ImportRecord> Enumerate(Factory factory, int count)
    {
        for (var line = 1; line <= count; line++) yield return factory.Create(line);
    }

    private sealed class Factory
    {
        private readonly IReadOnlyList<ImportTag> _tags;
        private readonly long _startTicks;
        private readonly long _nowTicks;
        private readonly ulong _phoneOffset;
        private readonly ulong _lidOffset;
        private Pcg32 _rng;

        public Factory(int seed, IReadOnlyList<ImportTag> tags, DateTime now)
        {
            _tags = tags;
            _rng = new Pcg32(seed, ContactStream);
            _phoneOffset = _rng.NextUInt64();
            _lidOffset = _rng.NextUInt64() % LidRange;
            var utcNow = now.Kind == DateTimeKind.Local ? now.ToUniversalTime() : DateTime.SpecifyKind(now, DateTimeKind.Utc);
            _nowTicks = TruncateToMillisecond(utcNow.Ticks);
            _startTicks = TruncateToMillisecond(utcNow.AddYears(-3).Ticks);
        }

        public ImportRecord Create(int line)
        {
            var index = (ulong)(line - 1);
            var locale = PickLocale();

            string? first = null, last = null, firstSlug = null, lastSlug = null;
            if (_rng.Next(100) >= 5)
            {
                var female = _rng.Next(2) == 0;
                var firsts = female ? locale.FemaleFirst : locale.MaleFirst;
                var lasts = female ? locale.FemaleLast : locale.Last;
                var f = _rng.Next(firsts.Values.Length);
                var l = _rng.Next(lasts.Values.Length);
                (first, firstSlug) = (firsts.Values[f], firsts.Slugs?[f]);
                (last, lastSlug) = (lasts.Values[l], lasts.Slugs?[l]);
            }

            string? email = null;
            if (_rng.Next(100) >= 10) email = Email(line, first is null, firstSlug, lastSlug);

            var country = _rng.Next(100) < 90
                ? locale.Countries[_rng.Next(locale.Countries.Length)]
                : Data.AllCountries[_rng.Next(Data.AllCountries.Length)];
            var phone = country.Number(index, _phoneOffset);

            string? lid = null;
            if (_rng.Next(100) < 30) lid = Lid(LidBase + (ulong)(((UInt128)index * LidMultiplier + _lidOffset) % LidRange));

            string? picture = null;
            if (_rng.Next(100) < 60)
                picture = string.Create(CultureInfo.InvariantCulture, stackalloc char[64], $"https://cdn.example.com/avatars/{line}.jpg");

            var spanMs = (_nowTicks - _startTicks) / TimeSpan.TicksPerMillisecond;
            var createdTicks = _startTicks + _rng.NextInt64(spanMs + 1) * TimeSpan.TicksPerMillisecond;
            var updatedTicks = createdTicks;
            if (_rng.Next(2) == 0)
                updatedTicks += _rng.NextInt64((_nowTicks - createdTicks) / TimeSpan.TicksPerMillisecond + 1) * TimeSpan.TicksPerMillisecond;

            return new ImportRecord(line, null, first, last, email, phone, lid, picture,
                new DateTime(createdTicks, DateTimeKind.Utc), new DateTime(updatedTicks, DateTimeKind.Utc), PickTags());
        }

        private Locale PickLocale()
        {
            var roll = _rng.Next(100);
            foreach (var locale in Data.Locales)
            {
                if (roll < locale.Weight) return locale;
                roll -= locale.Weight;
            }
            return Data.Locales[0];
        }

        // The index ends every local part and names hold no digits, so emails are unique within a call.
        private string Email(int line, bool nameless, string? firstSlug, string? lastSlug)
        {
            var domain = Data.Domains[_rng.Next(Data.Domains.Length)];
            Span<char> buffer = stackalloc char[128];
            if (nameless) return string.Create(CultureInfo.InvariantCulture, buffer, $"contact{line}@{domain}");
            if (firstSlug is null || lastSlug is null) return string.Create(CultureInfo.InvariantCulture, buffer, $"user{line}@{domain}");
            return _rng.Next(10) switch
            {
                < 5 => string.Create(CultureInfo.InvariantCulture, buffer, $"{firstSlug}.{lastSlug}{line}@{domain}"),
                < 7 => string.Create(CultureInfo.InvariantCulture, buffer, $"{firstSlug[0]}.{lastSlug}{line}@{domain}"),
                < 9 => string.Create(CultureInfo.InvariantCulture, buffer, $"{firstSlug}_{lastSlug}{line}@{domain}"),
                _ => string.Create(CultureInfo.InvariantCulture, buffer, $"{firstSlug}{line}@{domain}"),
            };
        }

        private ImportTag[] PickTags()
        {
            var roll = _rng.Next(100);
            var wanted = roll < 25 ? 0 : roll < 55 ? 1 : roll < 80 ? 2 : roll < 93 ? 3 : 4;
            var n = _tags.Count;
            var k = Math.Min(wanted, n);
            if (k == 0) return [];

            // Floyd's sampling: k distinct indices in exactly k draws, whatever the size of the tag set.
            Span<int> picked = stackalloc int[4];
            for (var m = 0; m < k; m++)
            {
                var j = n - k + m;
                var t = _rng.Next(j + 1);
                picked[m] = picked[..m].Contains(t) ? j : t;
            }
            picked[..k].Sort();
            var result = new ImportTag[k];
            for (var m = 0; m < k; m++) result[m] = _tags[picked[m]];
            return result;
        }

        private static long TruncateToMillisecond(long ticks) => ticks - ticks % TimeSpan.TicksPerMillisecond;
    }

    /// <summary>
    /// A multiplier coprime to range near range / golden ratio: x -> (x * m + offset) mod range is then a bijection
    /// (unique numbers per index) whose consecutive values land far apart (they do not look sequential).
    /// </summary>
    private static ulong GoldenMultiplier(ulong range)
    {
        var m = (ulong)(range * 0.6180339887498949);
        while (Gcd(m, range) != 1) m++;
        return m;
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    private static string Lid(ulong value) =>
        string.Create(19, value, static (span, v) =>
        {
            WriteDigits(span[..15], v);
            "@lid".CopyTo(span[15..]);
        });

    private static void WriteDigits(Span<char> destination, ulong value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    /// <summary>PCG32 (XSH-RR) by M. E. O'Neill: tiny, fast and fully specified, unlike seeded System.Random.</summary>
    private struct Pcg32
    {
        private readonly ulong _increment;
        private ulong _state;

        public Pcg32(int seed, ulong stream)
        {
            _increment = (stream << 1) | 1;
            _state = 0;
            NextUInt32();
            _state += 0x853c49e6748fea9bUL ^ (ulong)(uint)seed;
            NextUInt32();
        }

        public uint NextUInt32()
        {
            var old = _state;
            _state = old * 6364136223846793005UL + _increment;
            var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
            return uint.RotateRight(xorShifted, (int)(old >> 59));
        }

        public ulong NextUInt64() => ((ulong)NextUInt32() << 32) | NextUInt32();

        /// <summary>Uniform in [0, bound) by multiply-shift; the bias (bound / 2^32) is irrelevant here.</summary>
        public int Next(int bound) => (int)(((ulong)NextUInt32() * (uint)bound) >> 32);

        public long NextInt64(long bound) => (long)Math.BigMul(NextUInt64(), (ulong)bound, out _);
    }

    private sealed class NameList
    {
        public NameList(string[] values, bool latin)
        {
            Values = values;
            Slugs = latin ? Array.ConvertAll(values, Slug) : null;
        }

        public string[] Values { get; }

        /// <summary>Lower-case ASCII letters of each name for email local parts; null for non-Latin scripts.</summary>
        public string[]? Slugs { get; }

        private static string Slug(string name)
        {
            var builder = new StringBuilder(name.Length);
            foreach (var c in name.ToLowerInvariant().Normalize(NormalizationForm.FormD))
            {
                if (c is >= 'a' and <= 'z') builder.Append(c);
                else builder.Append(c switch
                {
                    'ł' => "l",
                    'ø' => "o",
                    'đ' => "d",
                    'ß' => "ss",
                    'æ' => "ae",
                    'œ' => "oe",
                    _ => "",
                });
            }
            return builder.Length > 0 ? builder.ToString() : "user";
        }
    }

    private sealed class Locale
    {
        public Locale(int weight, bool latin, string[] male, string[] female, string[] last, string[]? femaleLast, Country[] countries)
        {
            Weight = weight;
            MaleFirst = new NameList(male, latin);
            FemaleFirst = new NameList(female, latin);
            Last = new NameList(last, latin);
            FemaleLast = femaleLast is null ? Last : new NameList(femaleLast, latin);
            if (femaleLast is not null && femaleLast.Length != last.Length)
                throw new InvalidOperationException("Female surnames must pair with male ones.");
            Countries = countries;
        }

        public int Weight { get; }
        public NameList MaleFirst { get; }
        public NameList FemaleFirst { get; }
        public NameList Last { get; }
        public NameList FemaleLast { get; }
        public Country[] Countries { get; }
    }

    /// <summary>
    /// A numbering plan: country code, national prefixes (area or mobile codes) and a fixed count of subscriber digits.
    /// Country codes are prefix-free (as in E.164), so numbers of different countries never collide.
    /// </summary>
    private sealed class Country
    {
        private readonly string[] _heads;
        private readonly ulong _modulus;
        private readonly ulong _capacity;
        private readonly ulong _multiplier;
        private readonly ulong _salt;
        private readonly int _width;

        public Country(string code, int width, params string[] prefixes)
        {
            _width = width;
            _modulus = (ulong)Math.Pow(10, width);
            _heads = Array.ConvertAll(prefixes, p => code + p);
            _capacity = _modulus * (ulong)prefixes.Length;
            _multiplier = GoldenMultiplier(_capacity);
            // Without it, plans whose capacities are multiples of each other repeat the same trailing digits.
            _salt = ulong.Parse(code, CultureInfo.InvariantCulture) * 0x9e3779b97f4a7c15UL;
            if (_capacity < MaxCount)
                throw new InvalidOperationException($"Numbering plan +{code} cannot number {MaxCount} contacts uniquely.");
        }

        /// <summary>The number of a contact index below <see cref="MaxCount"/>; distinct indexes give distinct numbers.</summary>
        public string Number(ulong index, ulong offset)
        {
            var value = (ulong)(((UInt128)index * _multiplier + (offset ^ _salt)) % _capacity);
            var head = _heads[(int)(value / _modulus)];
            return string.Create(head.Length + _width, (head, value % _modulus), static (span, s) =>
            {
                s.head.CopyTo(span);
                WriteDigits(span[s.head.Length..], s.Item2);
            });
        }
    }

    private static class Data
    {
        private static readonly Country Us = new("1", 7,
            "212", "213", "202", "206", "303", "305", "312", "404", "408", "415",
            "512", "617", "619", "646", "702", "713", "214", "718", "917", "310");
        private static readonly Country Uk = new("44", 8, "71", "73", "74", "75", "77", "78", "79");
        private static readonly Country Spain = new("34", 8, "6", "7");
        private static readonly Country Mexico = new("52", 8, "55", "33", "81", "22", "44");
        private static readonly Country Brazil = new("55", 8, "119", "219", "319", "419", "519", "619", "719", "819", "479", "859");
        private static readonly Country Portugal = new("351", 8, "9");
        private static readonly Country France = new("33", 8, "6", "7");
        private static readonly Country Germany = new("49", 8,
            "151", "152", "157", "160", "170", "171", "172", "175", "176", "177", "178", "179");
        private static readonly Country Poland = new("48", 7, "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88");
        private static readonly Country Vietnam = new("84", 8, "3", "7", "8", "9");
        private static readonly Country Russia = new("7", 7,
            "903", "905", "909", "912", "915", "916", "917", "921", "925", "926", "977", "985", "999");
        private static readonly Country Greece = new("30", 8, "69");
        private static readonly Country Japan = new("81", 8, "70", "80", "90");
        private static readonly Country SaudiArabia = new("966", 8, "5");
        private static readonly Country Egypt = new("20", 8, "10", "11", "12", "15");
        private static readonly Country Emirates = new("971", 8, "5");

        public static readonly Country[] AllCountries =
        [
            Us, Uk, Spain, Mexico, Brazil, Portugal, France, Germany, Poland, Vietnam, Russia, Greece, Japan, SaudiArabia, Egypt, Emirates,
        ];

        // Reserved domains (RFC 2606 / 6761), so demo data can never reach a real mailbox.
        public static readonly string[] Domains =
        [
            "example.com", "example.org", "example.net", "mail.example", "acme.example",
            "globex.example", "initech.example", "umbrella.example", "hooli.example", "contoso.example",
        ];

        public static readonly string[] Colors =
        [
            "#ef4444", "#f97316", "#f59e0b", "#eab308", "#84cc16", "#22c55e", "#10b981", "#14b8a6", "#06b6d4", "#0ea5e9",
            "#3b82f6", "#6366f1", "#8b5cf6", "#a855f7", "#d946ef", "#ec4899", "#f43f5e", "#64748b", "#78716c", "#0f766e",
        ];

        public static readonly string[] TagWords =
        [
            "VIP", "Lead", "Customer", "Partner", "Supplier", "Newsletter", "Prospect", "Hot lead", "Follow-up", "Support",
            "Billing", "Webinar", "Trial", "Churned", "Enterprise", "Referral", "Investor", "Press", "Wholesale", "Event",
            "Do not call", "Cliente", "Proveedor", "Prioridade", "Parceiro", "Priorität", "Kunde", "Lieferant", "Évènement",
            "Fournisseur", "Relance", "Klient", "Dostawca", "Khách hàng", "Клиент", "Важный", "Поставщик", "Πελάτης",
            "Συνεργάτης", "顧客", "取引先", "見込み客", "عميل", "مورد", "شريك", "مهم",
        ];

        // Weights are percentages; accented Latin locales together make 38%.
        public static readonly Locale[] Locales =
        [
            new(25, true,
                ["James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Christopher",
                 "Daniel", "Matthew", "Anthony", "Mark", "Andrew", "Joshua", "Ryan", "Brian", "Kevin", "Jason"],
                ["Mary", "Jane", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
                 "Karen", "Emily", "Ashley", "Olivia", "Emma", "Megan", "Rachel", "Laura", "Hannah", "Chloe"],
                ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
                 "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
                 "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams",
                 "Baker", "Nelson", "Carter", "Mitchell", "Doe", "O'Brien", "Murphy", "Campbell"],
                null, [Us, Us, Us, Uk]),
            new(8, true,
                ["José", "Juan", "Carlos", "Luis", "Javier", "Miguel", "Alejandro", "Sergio", "Pablo", "Andrés",
                 "Jesús", "Raúl", "Álvaro", "Iván", "Rubén", "Adrián", "Óscar", "Íñigo", "Martín", "Nicolás"],
                ["María", "Carmen", "Lucía", "Ana", "Isabel", "Laura", "Marta", "Sofía", "Paula", "Elena",
                 "Cristina", "Inés", "Belén", "Begoña", "Pilar", "Nuria", "Raquel", "Ángela", "Rocío", "Verónica"],
                ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín",
                 "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez",
                 "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Suárez",
                 "Castaño", "Peña", "Ibáñez", "Núñez"],
                null, [Spain, Spain, Mexico]),
            new(8, true,
                ["João", "José", "António", "Francisco", "Pedro", "Lucas", "Gabriel", "Rafael", "Thiago", "Mateus",
                 "Gonçalo", "Tomás", "Luís", "Rodrigo", "Vinícius", "Caio", "Guilherme", "Felipe", "André", "Sebastião"],
                ["Maria", "Ana", "Beatriz", "Mariana", "Júlia", "Letícia", "Camila", "Larissa", "Fernanda", "Inês",
                 "Leonor", "Conceição", "Gabriela", "Luísa", "Bárbara", "Patrícia", "Vitória", "Débora", "Lívia", "Tânia"],
                ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
                 "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa", "Conceição", "Gonçalves", "Magalhães",
                 "Simões", "Assunção", "Brandão", "Falcão", "Damião", "Guimarães", "Loureiro", "Fontes"],
                null, [Brazil, Brazil, Portugal]),
            new(6, true,
                ["François", "Jean", "Pierre", "Louis", "Nicolas", "Julien", "Mathieu", "Sébastien", "Jérôme", "Stéphane",
                 "Benoît", "Hervé", "Clément", "Théo", "Léo", "Gaël", "Noël", "Rémi", "Antoine", "Étienne"],
                ["Élodie", "Camille", "Chloé", "Zoë", "Léa", "Manon", "Inès", "Océane", "Hélène", "Amélie",
                 "Cécile", "Mélanie", "Émilie", "Anaïs", "Noémie", "Agnès", "Gaëlle", "Maëlle", "Françoise", "Béatrice"],
                ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
                 "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
                 "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Mercier", "Boucher", "Gauthier", "Chevalier",
                 "Bélanger", "Lévesque", "Côté", "Gagné"],
                null, [France]),
            new(6, true,
                ["Lukas", "Jonas", "Leon", "Maximilian", "Felix", "Paul", "Jürgen", "Günter", "Björn", "Jörg",
                 "Søren", "Uwe", "Klaus", "Stefan", "Matthias", "Tobias", "Florian", "Andreas", "Dieter", "Moritz"],
                ["Anna", "Lena", "Leonie", "Hannah", "Sophie", "Marie", "Katrin", "Jutta", "Ursula", "Sabine",
                 "Monika", "Brigitte", "Käthe", "Hildegard", "Ilse", "Anja", "Greta", "Frieda", "Lotte", "Mareike"],
                ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
                 "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
                 "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Köhler", "Jäger",
                 "Groß", "Weiß", "Böhm", "Günther", "Vogel", "Sørensen"],
                null, [Germany]),
            new(5, true,
                ["Łukasz", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Grzegorz",
                 "Wojciech", "Mateusz", "Rafał", "Kamil", "Przemysław", "Bartłomiej", "Jarosław", "Zbigniew", "Mikołaj", "Stanisław"],
                ["Anna", "Małgorzata", "Agnieszka", "Katarzyna", "Barbara", "Ewa", "Magdalena", "Joanna", "Aleksandra", "Zofia",
                 "Dorota", "Beata", "Justyna", "Marta", "Jadwiga", "Bożena", "Grażyna", "Elżbieta", "Urszula", "Wiesława"],
                PolishSurnames, Feminine(PolishSurnames, PolishFeminine), [Poland]),
            new(5, true,
                ["Minh", "Hùng", "Dũng", "Tuấn", "Quang", "Đức", "Huy", "Long", "Nam", "Phúc",
                 "Thành", "Trung", "Hiếu", "Khánh", "Sơn", "Việt", "Bảo", "Hoàng", "Thắng", "Cường"],
                ["Lan", "Hương", "Linh", "Ngọc", "Thảo", "Trang", "Hà", "Mai", "Phương", "Hằng",
                 "Thủy", "Huyền", "Nhung", "Quỳnh", "Yến", "Vy", "Nga", "Hạnh", "Diệp", "Ánh"],
                ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                 "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai",
                 "Đoàn", "Tạ", "Cao", "Lương", "Tô", "Hà"],
                null, [Vietnam]),
            new(10, false,
                ["Иван", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай", "Владимир", "Павел", "Артём",
                 "Максим", "Егор", "Никита", "Юрий", "Олег", "Виктор", "Константин", "Григорий", "Фёдор", "Борис"],
                ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина", "Анастасия",
                 "Юлия", "Дарья", "Ксения", "Людмила", "Галина", "Вера", "Полина", "Алёна", "Софья", "Евгения"],
                RussianSurnames, Feminine(RussianSurnames, RussianFeminine), [Russia]),
            new(9, false,
                ["Γιώργος", "Δημήτρης", "Κωνσταντίνος", "Γιάννης", "Νίκος", "Παναγιώτης", "Βασίλης", "Χρήστος", "Αθανάσιος", "Μιχάλης",
                 "Ευάγγελος", "Σπύρος", "Αντώνης", "Ανδρέας", "Θοδωρής", "Στέλιος", "Πέτρος", "Άγγελος", "Λευτέρης", "Αλέξανδρος"],
                ["Μαρία", "Ελένη", "Αικατερίνη", "Βασιλική", "Σοφία", "Αγγελική", "Γεωργία", "Δήμητρα", "Κωνσταντίνα", "Παρασκευή",
                 "Ευαγγελία", "Χριστίνα", "Ιωάννα", "Αναστασία", "Δέσποινα", "Ειρήνη", "Θεοδώρα", "Νίκη", "Φωτεινή", "Αθηνά"],
                Array.ConvertAll(GreekSurnames, p => p[0]), Array.ConvertAll(GreekSurnames, p => p[1]), [Greece]),
            new(9, false,
                ["翔太", "大輔", "拓也", "健太", "直樹", "和也", "達也", "誠", "蓮", "陽翔",
                 "悠真", "大和", "湊", "颯太", "浩", "隆", "修", "剛", "亮", "健一"],
                ["花子", "陽子", "恵子", "美咲", "さくら", "葵", "結衣", "陽菜", "美穂", "由美",
                 "直美", "真由美", "彩", "愛", "優子", "明美", "千尋", "舞", "麻衣", "菜々子"],
                ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
                 "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
                 "山崎", "森", "池田", "橋本", "阿部", "石川", "前田", "藤田"],
                null, [Japan]),
            new(9, false,
                ["محمد", "أحمد", "علي", "عمر", "خالد", "يوسف", "إبراهيم", "حسن", "حسين", "عبدالله",
                 "مصطفى", "سعيد", "طارق", "كريم", "فيصل", "ماجد", "سلمان", "زياد", "هشام", "ياسر"],
                ["فاطمة", "عائشة", "مريم", "نور", "سارة", "ليلى", "زينب", "هدى", "خديجة", "رنا",
                 "ياسمين", "سلمى", "دينا", "منى", "رزان", "هند", "لينا", "أمل", "جميلة", "نادية"],
                ["الأحمد", "العلي", "الحسن", "الخطيب", "الحداد", "النجار", "الشامي", "المصري", "العتيبي", "القحطاني",
                 "الشمري", "الدوسري", "الزهراني", "الغامدي", "الحربي", "السعدي", "البغدادي", "الحلبي", "التميمي", "الهاشمي",
                 "الكبيسي", "العمري", "المالكي", "السيد", "عبدالرحمن", "منصور", "حداد", "يوسف"],
                null, [SaudiArabia, SaudiArabia, Egypt, Emirates]),
        ];

        private static string[] PolishSurnames =>
        [
            "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak",
            "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski",
            "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski",
            "Stępień", "Górski", "Nowicki",
        ];

        private static string[] RussianSurnames =>
        [
            "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров",
            "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
            "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
            "Романов", "Воробьёв", "Сорокин", "Успенский", "Достоевский",
        ];

        // Greek surnames change form (and accent) for women, so they are listed in pairs.
        private static string[][] GreekSurnames =>
        [
            ["Παπαδόπουλος", "Παπαδοπούλου"], ["Παπαδάκης", "Παπαδάκη"], ["Παπανικολάου", "Παπανικολάου"],
            ["Γεωργίου", "Γεωργίου"], ["Οικονόμου", "Οικονόμου"], ["Νικολάου", "Νικολάου"], ["Βασιλείου", "Βασιλείου"],
            ["Ιωάννου", "Ιωάννου"], ["Κωνσταντινίδης", "Κωνσταντινίδου"], ["Παπαγεωργίου", "Παπαγεωργίου"],
            ["Μακρής", "Μακρή"], ["Αλεξίου", "Αλεξίου"], ["Δημητρίου", "Δημητρίου"], ["Αντωνίου", "Αντωνίου"],
            ["Χριστοδούλου", "Χριστοδούλου"], ["Καραγιάννης", "Καραγιάννη"], ["Πετρόπουλος", "Πετροπούλου"],
            ["Αθανασίου", "Αθανασίου"], ["Παππάς", "Παππά"], ["Μιχαηλίδης", "Μιχαηλίδου"], ["Ζαχαρίου", "Ζαχαρίου"],
            ["Σταματόπουλος", "Σταματοπούλου"], ["Λαμπράκης", "Λαμπράκη"], ["Αναστασίου", "Αναστασίου"],
            ["Μαυρίδης", "Μαυρίδου"], ["Θεοδωρόπουλος", "Θεοδωροπούλου"], ["Γεωργιάδης", "Γεωργιάδου"], ["Κυριακίδης", "Κυριακίδου"],
        ];

        private static string[] Feminine(string[] surnames, Func<string, string> rule) => Array.ConvertAll(surnames, s => rule(s));

        private static string PolishFeminine(string surname) =>
            surname.EndsWith("ski", StringComparison.Ordinal) || surname.EndsWith("cki", StringComparison.Ordinal)
                ? surname[..^1] + "a"
                : surname;

        private static string RussianFeminine(string surname) =>
            surname.EndsWith("ий", StringComparison.Ordinal) ? surname[..^2] + "ая" : surname + "а";
    }
}
