using System.Globalization;
using System.Text;

namespace Contacts.Client;

/// <summary>A URL-encoded query string; parameters left null are not sent.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _text = new();

    public QueryBuilder Add(string name, int? value) =>
        value is { } v ? Add(name, v.ToString(CultureInfo.InvariantCulture)) : this;

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null) return this;
        _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public override string ToString() => _text.ToString();
}
