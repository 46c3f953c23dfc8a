using Microsoft.Extensions.Options;

namespace Contacts.Data;

/// <summary>The rules between settings that the data annotations of <see cref="DatabaseOptions"/> cannot say.</summary>
public sealed class DatabaseOptionsValidation : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (options.Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                "Database:Provider is 'postgres' but ConnectionStrings:Contacts is not set " +
                "(e.g. ConnectionStrings__Contacts='Host=localhost;Database=contacts;Username=contacts;Password=...').");
        }
        if (options.Replicas.ConnectionStrings.Count > 0 && options.Provider != DatabaseProvider.Postgres)
            return ValidateOptionsResult.Fail("ConnectionStrings:ContactsReplicas is set, but standbys need Database:Provider 'postgres'.");
        return ValidateOptionsResult.Success;
    }
}
