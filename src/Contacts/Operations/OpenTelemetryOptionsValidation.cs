using Microsoft.Extensions.Options;

namespace Contacts.Operations;

internal sealed class OpenTelemetryOptionsValidation : IValidateOptions<OpenTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenTelemetryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint)) return ValidateOptionsResult.Success;
        if (options.Protocol is null)
        {
            return ValidateOptionsResult.Fail(
                $"OpenTelemetry:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{options.OtlpProtocol?.Trim().ToLowerInvariant()}'.");
        }
        return options.Endpoint is null
            ? ValidateOptionsResult.Fail($"OpenTelemetry:OtlpEndpoint: '{options.OtlpEndpoint}' is not an absolute http(s) URL, such as http://otel-collector:4317.")
            : ValidateOptionsResult.Success;
    }
}
