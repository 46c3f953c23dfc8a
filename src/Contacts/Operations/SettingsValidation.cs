using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Contacts.Operations;

public static class SettingsValidation
{
    /// <summary>
    /// Data annotations checked at start, each failure reported as its own message (which names the setting, e.g.
    /// "Auth:CacheSeconds must be between 0 and 10"), without ValidateDataAnnotations' "DataAnnotation validation failed
    /// for 'ApiKeyOptions' members: …" wrapper.
    /// </summary>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new AnnotatedSettings<T>(builder.Name));
        return builder.ValidateOnStart();
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
