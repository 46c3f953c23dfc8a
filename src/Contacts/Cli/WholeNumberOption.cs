using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Contacts.Cli;

/// <summary>
/// An option whose value is a whole number. A value that is not one is refused naming the option and what it expects
/// ("--company expects a company id ..., not 'abc'."), instead of System.CommandLine's "as expected type 'System.Int64'".
/// </summary>
internal static class WholeNumberOption
{
    public static Option<T> Create<T>(string name, string description, string expects, T? defaultValue = null) where T : struct, INumber<T>
    {
        var option = new Option<T>(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
                result.AddError($"{name} expects {expects}, not '{text}'.");
                return default;
            },
        };
        if (defaultValue is { } fallback) option.DefaultValueFactory = _ => fallback;
        return option;
    }
}
