namespace Contacts.Api.Binding;

/// <summary>A bound record among a handler's arguments, as the filter that answers 400 sees it.</summary>
internal interface IBoundParameters
{
    ParameterErrors? Errors { get; }
}
