using Contacts.Auth;
using Microsoft.OpenApi;

namespace Contacts.Api.Binding;

/// <summary>A change-feed cursor this server issued to the caller's company (<see cref="ChangeCursor"/>); absent: from the beginning.</summary>
internal sealed class CursorAttribute(string name, string description) : ParameterAttribute(name, description)
{
    public override Type ValueType => typeof(ChangeCursor);

    public override object? Read(HttpContext http, ApiOptions options, ParameterErrors errors)
    {
        if (!http.Request.Query.TryGetValue(Name, out var values)) return null;
        // An empty cursor is refused rather than read as "from the beginning": a client that lost its cursor must
        // reconcile its copy (the fresh walk sends no deletions), so it should know. Another company's cursor, garbage
        // and a cursor given twice read alike, so that the answer tells nothing about whose cursor it was.
        if (values.Count == 1 && ChangeCursor.TryDecode(values[0], http.User.CompanyId(), out var cursor)) return cursor;
        errors.Add(this, $"{Name} is not a next_cursor this server issued for this API key's company. Start again without a cursor.");
        return null;
    }

    protected override OpenApiSchema Schema(ApiOptions options) => new() { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9_-]+$" };
}
