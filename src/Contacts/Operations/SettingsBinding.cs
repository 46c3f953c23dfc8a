using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Contacts.Operations;

/// <summary>
/// How every configuration section becomes its options class: <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>, the
/// data annotations and any <see cref="IValidateOptions{TOptions}"/> of the class checked by <c>ValidateOnStart</c>, every
/// problem one message naming the setting ("Database:RowLevelSecurity: '1' is not one of: Required, Off.").
/// </summary>
/// <remarks>
/// Before the binder sees them, the values are read strictly by their property's type: an enum by one of its names (any
/// case, nothing around it), a whole number or a finite number in the invariant culture, true or false. The binder alone
/// takes RowLevelSecurity=1 or " off" for Off, NaN for a number, and throws its own message at "ten". An empty value is an
/// error unless the property is nullable (then it is unset). Classes of the options' own assembly are sub-sections.
/// </remarks>
public static class SettingsBinding
{
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section, string? name = null) where T : class
    {
        var builder = services.AddOptions<T>(name ?? Options.DefaultName);
        builder.Configure<IConfiguration>((_, configuration) =>
        {
            var unreadable = Unreadable(configuration.GetSection(section), typeof(T)).ToList();
            if (unreadable.Count > 0) throw new OptionsValidationException(builder.Name, typeof(T), unreadable);
        });
        builder.BindConfiguration(section);
        services.AddSingleton<IValidateOptions<T>>(new AnnotatedSettings<T>(builder.Name, section));
        return builder.ValidateOnStart();
    }

    /// <summary>As <see cref="AddSettings{T}"/>, with the rules that need code in <typeparamref name="TValidation"/>.</summary>
    public static OptionsBuilder<T> AddSettings<T, TValidation>(this IServiceCollection services, string section)
        where T : class where TValidation : class, IValidateOptions<T>
    {
        services.AddSingleton<IValidateOptions<T>, TValidation>();
        return services.AddSettings<T>(section);
    }

    /// <summary>
    /// The section bound as <see cref="AddSettings{T}"/> binds it, for a decision taken while services are registered,
    /// before any options exist (which OpenTelemetry exporters to add). A value that does not read leaves the default
    /// here; the same section registered with <see cref="AddSettings{T}"/> stops start-up naming it.
    /// </summary>
    public static T Peek<T>(IConfiguration configuration, string section) where T : class, new()
    {
        var options = new T();
        var values = configuration.GetSection(section);
        if (!Unreadable(values, typeof(T)).Any()) values.Bind(options);
        return options;
    }

    private static IEnumerable<string> Unreadable(IConfigurationSection section, Type type)
    {
        foreach (var property in Bindable(type))
        {
            if (IsNested(property, type))
            {
                foreach (var problem in Unreadable(section.GetSection(Key(property)), property.PropertyType)) yield return problem;
            }
            else if (section[Key(property)] is { } text && Unreadable(ConfigurationPath.Combine(section.Path, Key(property)), text, property.PropertyType) is { } problem)
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

    /// <summary>The data annotations, each failure its own message naming the setting (not ValidateDataAnnotations' wrapper).</summary>
    private sealed class AnnotatedSettings<T>(string name, string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (optionsName != name) return ValidateOptionsResult.Skip;
            var problems = Invalid(section, options).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
