using Contacts.Contracts;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Contacts.Client;

/// <summary>
/// A typed client for the Contacts API: one call per endpoint, and "all pages" walks as <see cref="IAsyncEnumerable{T}"/>.
/// Get one from dependency injection (<see cref="ContactsClientServiceCollectionExtensions.AddContactsClient"/>) or from
/// <see cref="Create"/>; both retry 429 and 503 honouring <c>Retry-After</c>. The public constructor takes an
/// <see cref="HttpClient"/> you configured yourself: give it a <see cref="HttpClient.BaseAddress"/>, the
/// <c>Authorization: Bearer</c> header (<see cref="Configure"/> does both), and, for retries,
/// <see cref="ContactsClientResilience.CreateHandler"/> as its handler.
/// </summary>
public sealed class ContactsClient : IDisposable
{
    /// <summary>The page size the "all pages" walks use when the query gives no limit: the API's documented maximum.</summary>
    public const int MaxPageSize = 100;

    private const string ContactsPath = "api/v1/contacts";
    private const string TagsPath = "api/v1/contacts/tags";
    private const string ChangesPath = "api/v1/contacts/changes";

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly bool _ownsHttpClient;

    /// <summary>A client over an <see cref="HttpClient"/> that already has the base address and the API key.</summary>
    /// <param name="httpClient">Configured with <see cref="Configure"/> or the equivalent; not disposed by this client.</param>
    public ContactsClient(HttpClient httpClient) : this(httpClient, ownsHttpClient: false)
    {
    }

    private ContactsClient(HttpClient httpClient, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var baseAddress = httpClient.BaseAddress
            ?? throw new ArgumentException("The HttpClient needs a BaseAddress: the server's root, e.g. https://contacts.example.com/.", nameof(httpClient));
        // Without the trailing slash, a base address with a path (https://host/contacts) would lose its last segment.
        _baseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http = httpClient;
        _ownsHttpClient = ownsHttpClient;
    }

    /// <summary>
    /// A client with its own <see cref="HttpClient"/> and the retry handler, for code without dependency injection.
    /// Keep it for the application's lifetime (it pools connections); dispose it at the end.
    /// </summary>
    /// <param name="baseAddress">The server's root, e.g. <c>https://contacts.example.com/</c>.</param>
    /// <param name="apiKey">The company's API key (<c>ck_…</c>).</param>
    /// <param name="innerHandler">The handler under the retry handler; a <see cref="SocketsHttpHandler"/> when null.</param>
    /// <returns>A client that owns (and disposes) its HttpClient.</returns>
    public static ContactsClient Create(Uri baseAddress, string apiKey, HttpMessageHandler? innerHandler = null)
    {
        var http = new HttpClient(ContactsClientResilience.CreateHandler(innerHandler));
        Configure(http, baseAddress, apiKey);
        return new ContactsClient(http, ownsHttpClient: true);
    }

    /// <summary>Sets the base address and the <c>Authorization: Bearer</c> header on an <see cref="HttpClient"/>.</summary>
    /// <param name="httpClient">The client to configure.</param>
    /// <param name="baseAddress">The server's root, e.g. <c>https://contacts.example.com/</c>.</param>
    /// <param name="apiKey">The company's API key (<c>ck_…</c>).</param>
    public static void Configure(HttpClient httpClient, Uri baseAddress, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{baseAddress}' is not an absolute http(s) URL.", nameof(baseAddress));
        httpClient.BaseAddress = baseAddress;
        httpClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Trim());
        httpClient.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>One page of the company's contacts (<c>GET /api/v1/contacts</c>).</summary>
    /// <param name="query">Page, limit, search and the sync filters; null for the first page with the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page and the envelope's totals.</returns>
    /// <exception cref="ContactsApiException">The server answered with an error (after retries for 429 and 503).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public Task<Page<Contact>> GetContactsAsync(ContactsQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ContactsQuery();
        return GetPageAsync(ContactsPath + query.ToQueryString(query.Page, query.Limit), ContactsJsonContext.Default.PageContact, cancellationToken);
    }

    /// <summary>
    /// One contact by its id (<c>GET /api/v1/contacts/{id}</c>), exactly as the lists and the change feed show it.
    /// </summary>
    /// <param name="id">The contact's id as the API returned it: digits, no sign, spaces or leading zeros.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The contact, or null when the company has no contact with this id (it never existed, was deleted, or
    /// belongs to another company: the API does not say which).</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not an id the API writes; nothing was sent.</exception>
    /// <exception cref="ContactsApiException">The server answered with an error (after retries for 429 and 503), including
    /// a 404 other than the API's "Contact not found": the base address reaches something else.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<Contact?> GetContactAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        // Checked here because the id becomes a path segment: "tags" or "1/2" would ask another endpoint.
        if (id[0] == '0' || id.Length > 19 || !id.All(char.IsAsciiDigit) || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new ArgumentException("Not a contact id as the API writes them: a positive integer without sign, spaces or leading zeros.", nameof(id));
        try
        {
            return await GetJsonAsync(new Uri(_baseAddress, ContactsPath + "/" + id), ContactsJsonContext.Default.Contact, cancellationToken).ConfigureAwait(false);
        }
        catch (ContactsApiException e) when (e.StatusCode == HttpStatusCode.NotFound && e.Title == ProblemDetails.ContactNotFoundTitle)
        {
            return null;
        }
    }

    /// <summary>One page of the company's tags with their contact counts (<c>GET /api/v1/contacts/tags</c>).</summary>
    /// <param name="query">Page, limit and search; null for the first page with the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page and the envelope's totals.</returns>
    /// <exception cref="ContactsApiException">The server answered with an error (after retries for 429 and 503).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public Task<Page<Tag>> GetTagsAsync(TagsQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new TagsQuery();
        return GetPageAsync(TagsPath + query.ToQueryString(query.Page, query.Limit), ContactsJsonContext.Default.PageTag, cancellationToken);
    }

    /// <summary>
    /// Every page of contacts from <see cref="ContactsQuery.Page"/> (default 1) to the last one the envelope announces,
    /// <see cref="ContactsQuery.Limit"/> (default <see cref="MaxPageSize"/>) per request. Pages are by offset in id order:
    /// contacts added meanwhile come at the end; use <see cref="ContactsQuery.UpdatedSince"/> to sync changes.
    /// </summary>
    /// <param name="query">The filters; its page is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The pages, each fetched when the previous one has been consumed.</returns>
    public IAsyncEnumerable<Page<Contact>> GetContactPagesAsync(ContactsQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ContactsQuery();
        return WalkAsync(query.Page, page => query.ToQueryString(page, query.Limit ?? MaxPageSize), ContactsPath,
            ContactsJsonContext.Default.PageContact, cancellationToken);
    }

    /// <summary>Every contact the query matches, walking all pages (see <see cref="GetContactPagesAsync"/>).</summary>
    /// <param name="query">The filters; its page is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The contacts in id order.</returns>
    public IAsyncEnumerable<Contact> GetAllContactsAsync(ContactsQuery? query = null, CancellationToken cancellationToken = default) =>
        Flatten(GetContactPagesAsync(query, cancellationToken));

    /// <summary>Every page of tags from <see cref="TagsQuery.Page"/> (default 1) to the last, <see cref="TagsQuery.Limit"/> (default <see cref="MaxPageSize"/>) per request.</summary>
    /// <param name="query">The filters; its page is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The pages, each fetched when the previous one has been consumed.</returns>
    public IAsyncEnumerable<Page<Tag>> GetTagPagesAsync(TagsQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new TagsQuery();
        return WalkAsync(query.Page, page => query.ToQueryString(page, query.Limit ?? MaxPageSize), TagsPath,
            ContactsJsonContext.Default.PageTag, cancellationToken);
    }

    /// <summary>Every tag the query matches, walking all pages.</summary>
    /// <param name="query">The filters; its page is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The tags in id order.</returns>
    public IAsyncEnumerable<Tag> GetAllTagsAsync(TagsQuery? query = null, CancellationToken cancellationToken = default) =>
        Flatten(GetTagPagesAsync(query, cancellationToken));

    /// <summary>
    /// One page of the change feed (<c>GET /api/v1/contacts/changes</c>): apply its changes in order, then store
    /// <see cref="ChangesPage.NextCursor"/>; while <see cref="ChangesPage.HasMore"/> is true, ask again at once.
    /// </summary>
    /// <param name="cursor">The <see cref="ChangesPage.NextCursor"/> stored last time; null to start from the beginning
    /// (every live contact once, as upserts).</param>
    /// <param name="limit">Changes per page, 1..the server's maximum; null for the server's default (100).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ContactsApiException">The server answered with an error: 410 Gone when the cursor is older than the
    /// server keeps (start again without one), 400 when it is malformed or another company's.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public async Task<ChangesPage> GetChangesAsync(string? cursor = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(_baseAddress, ChangesPath + new QueryBuilder().Add("cursor", cursor).Add("limit", limit));
        return await GetJsonAsync(uri, ContactsJsonContext.Default.ChangesPage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every change from <paramref name="cursor"/> until the client is up to date (a page with <c>has_more</c> false).
    /// <see cref="ContactChangeWalk.Cursor"/> moves to a page's <c>next_cursor</c> once all of that page's changes have
    /// been consumed: store it after the loop (or whenever you commit what you applied).
    /// </summary>
    /// <param name="cursor">The cursor stored last time; null to start from the beginning.</param>
    /// <param name="limit">Changes per request; null for <see cref="MaxPageSize"/>.</param>
    /// <returns>The walk; enumerate it with <c>await foreach</c>.</returns>
    public ContactChangeWalk GetAllChangesAsync(string? cursor = null, int? limit = null) => new(this, cursor, limit ?? MaxPageSize);

    /// <summary>Disposes the HttpClient if this client made it (<see cref="Create"/>).</summary>
    public void Dispose()
    {
        if (_ownsHttpClient) _http.Dispose();
    }

    private async IAsyncEnumerable<Page<T>> WalkAsync<T>(int? firstPage, Func<int, string> queryString, string path,
        JsonTypeInfo<Page<T>> type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = firstPage ?? 1; ; page++)
        {
            var result = await GetPageAsync(path + queryString(page), type, cancellationToken).ConfigureAwait(false);
            yield return result;
            // totalPages is re-read on every page, so contacts added during the walk are still reached;
            // an empty page ends the walk even if a count said otherwise.
            if (page >= result.TotalPages || result.Data.Count == 0) yield break;
        }
    }

    private static async IAsyncEnumerable<T> Flatten<T>(IAsyncEnumerable<Page<T>> pages)
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var item in page.Data) yield return item;
        }
    }

    private Task<Page<T>> GetPageAsync<T>(string pathAndQuery, JsonTypeInfo<Page<T>> type, CancellationToken cancellationToken) =>
        GetJsonAsync(new Uri(_baseAddress, pathAndQuery), type, cancellationToken);

    private async Task<T> GetJsonAsync<T>(Uri uri, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await ContactsApiException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                   ?? throw new JsonException("The body is the JSON literal null.");
        }
        catch (JsonException e)
        {
            throw ContactsApiException.UnexpectedBody(response, uri, e);
        }
    }
}
