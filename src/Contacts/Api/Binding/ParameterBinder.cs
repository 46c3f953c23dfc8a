using System.Reflection;

namespace Contacts.Api.Binding;

/// <summary>The declarations of one bound record, found once, and the reading of a request through them.</summary>
internal static class ParameterBinder<T> where T : BoundParameters<T>
{
    private static readonly ConstructorInfo Constructor = typeof(T).GetConstructors() is [var only]
        ? only
        : throw new InvalidOperationException($"{typeof(T).Name} must have one public constructor, whose parameters declare the request's.");

    private static readonly ConstructorInvoker Invoker = ConstructorInvoker.Create(Constructor);

    public static IReadOnlyList<ParameterAttribute> Declared { get; } = [.. Constructor.GetParameters().Select(Declaration)];

    public static T Bind(HttpContext http)
    {
        var options = ParameterBinding.Options(http);
        var errors = new ParameterErrors();
        var values = new object?[Declared.Count];
        for (var i = 0; i < values.Length; i++) values[i] = Declared[i].Read(http, options, errors);
        var bound = (T)Invoker.Invoke(values);
        bound.Errors = errors;
        return bound;
    }

    private static ParameterAttribute Declaration(ParameterInfo parameter)
    {
        var declared = parameter.GetCustomAttribute<ParameterAttribute>()
                       ?? throw new InvalidOperationException($"{typeof(T).Name}.{parameter.Name} declares no request parameter.");
        if (declared.ValueType != parameter.ParameterType)
            throw new InvalidOperationException($"{typeof(T).Name}.{parameter.Name} is a {parameter.ParameterType.Name}, but {declared.GetType().Name} reads a {declared.ValueType.Name}.");
        return declared;
    }
}
