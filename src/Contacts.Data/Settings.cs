using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Contacts.Data;

/// <summary>
/// The one way a section of configuration becomes an options object: every value is read strictly by the type of its
/// property, then bound, then checked against the property's data annotations, and every problem names the setting
/// ("Database:RowLevelSecurity: '1' is not one of: Required, Off."). The configuration binder alone reads a number or a
/// name with spaces as an enum value (RowLevelSecurity=1 was Off), NaN as a number, and nothing checks the ranges.
/// </summary>
/// <remarks>
/// Read strictly: an enum by one of its names (any case, nothing around it), a whole number or a finite number in the
/// invariant culture, true or false. An empty value is an error unless the property is nullable (then it is unset),
/// as the binder has it. Nested options classes of the same assembly are read as sub-sections.
/// </remarks>
public static class Settings
{
    /// <summary>A new options object read from the section; throws <see cref="SettingsException"/> naming every bad setting.</summary>
    public static T Read<T>(IConfiguration configuration, string section) where T : class, new()
    {
        var options = new T();
        var values = configuration.GetSection(section);
        Bind(values, options);
        var problems = Problems(values, options);
        return problems.Count == 0 ? options : throw new SettingsException(problems);
    }

    /// <summary>Binds the section when every value reads; otherwise leaves the object alone for <see cref="Problems"/> to report.</summary>
    public static void Bind(IConfigurationSection section, object options)
    {
        if (!Unreadable(section, options.GetType()).Any()) section.Bind(options);
    }

    /// <summary>What is wrong with the section's values and the object bound from them, each naming its setting.</summary>
    public static IReadOnlyList<string> Problems(IConfigurationSection section, object options)
    {
        var unreadable = Unreadable(section, options.GetType()).ToList();
        return unreadable.Count > 0 ? unreadable : [.. Invalid(section.Path, options)];
    }

    private static IEnumerable<string> Unreadable(IConfigurationSection section, Type type)
    {
        foreach (var property in Bindable(type))
        {
            var path = ConfigurationPath.Combine(section.Path, Key(property));
            if (IsNested(property, type))
            {
                foreach (var problem in Unreadable(section.GetSection(Key(property)), property.PropertyType)) yield return problem;
            }
            else if (section[Key(property)] is { } text && Unreadable(path, text, property.PropertyType) is { } problem)
            {
                yield return problem;
            }
        }
    }

    private static string? Unreadable(string path, string text, Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        if (nullable is not null && text.Length == 0) return null;
        type = nullable ?? type;
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names.Contains(text, StringComparer.OrdinalIgnoreCase) ? null : $"{path}: '{text}' is not one of: {string.Join(", ", names)}.";
        }
        if (type == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"{path}: '{text}' is not a whole number.";
        if (type == typeof(long))
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"{path}: '{text}' is not a whole number.";
        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? null : $"{path}: '{text}' is not a number.";
        }
        if (type == typeof(bool)) return bool.TryParse(text, out _) ? null : $"{path}: '{text}' is not true or false.";
        return null; // text, lists of text: anything reads
    }

    private static IEnumerable<string> Invalid(string path, object options)
    {
        foreach (var property in Bindable(options.GetType()))
        {
            var setting = ConfigurationPath.Combine(path, Key(property));
            var value = property.GetValue(options);
            var results = new List<ValidationResult>();
            // The display name is the setting, so a plain [Range] says "The field Sync:HistoryDays must be between 0 and 36500."
            var context = new ValidationContext(options) { MemberName = property.Name, DisplayName = setting };
            if (!Validator.TryValidateProperty(value, context, results))
                foreach (var result in results) yield return result.ErrorMessage ?? $"{setting} is invalid.";
            if (IsNested(property, options.GetType()) && value is not null)
                foreach (var problem in Invalid(setting, value)) yield return problem;
        }
        if (options is IValidatableObject whole)
            foreach (var result in whole.Validate(new ValidationContext(options))) yield return result.ErrorMessage ?? $"{path} is invalid.";
    }

    private static IEnumerable<PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && (p.SetMethod?.IsPublic == true || IsNested(p, type)));

    // A class of the options' own assembly is a sub-section (RateLimits:PerKey); framework types are values or left alone.
    private static bool IsNested(PropertyInfo property, Type owner) =>
        property.PropertyType.IsClass && property.PropertyType != typeof(string) && property.PropertyType.Assembly == owner.Assembly &&
        !typeof(IEnumerable).IsAssignableFrom(property.PropertyType);

    private static string Key(PropertyInfo property) =>
        property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
}
