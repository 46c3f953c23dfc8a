namespace Contacts.Api.Binding;

/// <summary>
/// How many items an answer holds: an <see cref="IntegerAttribute"/> from 1 to the Api:MaxLimit setting, whose default
/// and example never exceed it.
/// </summary>
/// <param name="description">What one item is, as the description starts ("Results per page"); the bound follows it.</param>
internal sealed class LimitAttribute(string description) : IntegerAttribute("limit", description)
{
    protected override (int Maximum, int Default, int Example) Bounds(ApiOptions options) =>
        (options.MaxLimit, Math.Min(Default, options.MaxLimit), Math.Min(Example, options.MaxLimit));

    protected override string DescriptionFor(ApiOptions options) => $"{Description}, at most {options.MaxLimit} (the `Api:MaxLimit` setting).";
}
