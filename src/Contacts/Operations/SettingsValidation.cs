using System.ComponentModel.DataAnnotations;
using Contacts.Data;
using Microsoft.Extensions.Options;

namespace Contacts.Operations;

public static class SettingsValidation
{
    /// <summary>
    /// Binds the options from a configuration section the way <see cref="Settings"/> reads every setting (strictly by
    /// type: an enum by its name, not a number or a name with spaces; ranges from the data annotations), checked at
    /// start, each problem one message naming the setting (e.g. "The field Sync:HistoryDays must be between 0 and 36500.").
    /// </summary>
    public static OptionsBuilder<T> BindSettings<T>(this OptionsBuilder<T> builder, string section) where T : class
    {
        builder.Configure<IConfiguration>((options, configuration) => Settings.Bind(configuration.GetSection(section), options));
        builder.Services.AddSingleton<IValidateOptions<T>>(services =>
            new SectionSettings<T>(builder.Name, services.GetRequiredService<IConfiguration>(), section));
        return builder.ValidateOnStart();
    }

    /// <summary>
    /// Data annotations checked at start for options bound with BindConfiguration, each failure its own message (which
    /// names the setting, e.g. "Auth:CacheSeconds must be between 0 and 10"), without ValidateDataAnnotations' wrapper.
    /// Prefer <see cref="BindSettings{T}"/>, which also reads the values strictly and names settings by itself.
    /// </summary>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new AnnotatedSettings<T>(builder.Name));
        return builder.ValidateOnStart();
    }

    private sealed class SectionSettings<T>(string? name, IConfiguration configuration, string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName) return ValidateOptionsResult.Skip;
            var problems = Settings.Problems(configuration.GetSection(section), options);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    private sealed class AnnotatedSettings<T>(string? name) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName) return ValidateOptionsResult.Skip;
            var results = new List<ValidationResult>();
            return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "invalid setting"));
        }
    }
}
