using Contacts.Data.Keys;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;

namespace Contacts.Auth;

/// <summary>
/// What the database last said about a key id, on the injected clock and bounded in size: a valid key for
/// Auth:CacheSeconds (which bounds how late a revocation bites), an unknown or revoked id for a few seconds, so that a
/// stranger repeating a made-up key costs one lookup, not one per request. Revocation is final, ids are random and a miss
/// is only ever the primary's answer (a standby's is asked again there, <see cref="KeyQueries.FindAsync"/>; a lookup
/// that fails throws and is remembered not at all), so remembering a miss never refuses a key that exists.
/// </summary>
internal sealed class KeyCache : IDisposable
{
    internal static readonly TimeSpan MissFor = TimeSpan.FromSeconds(5);
    // Beyond these the cache stops adding (and compacts): memory stays bounded whatever ids a flood makes up.
    private const int MaxKeys = 100_000, MaxMisses = 10_000;

    private readonly IOptionsMonitor<ApiKeyOptions> _options;
    private readonly MemoryCache _keys;
    private readonly MemoryCache _misses;

    public KeyCache(IOptionsMonitor<ApiKeyOptions> options, TimeProvider time)
    {
        _options = options;
        var clock = new TimeProviderClock(time);
        _keys = new MemoryCache(new MemoryCacheOptions { Clock = clock, SizeLimit = MaxKeys });
        _misses = new MemoryCache(new MemoryCacheOptions { Clock = clock, SizeLimit = MaxMisses });
    }

    /// <summary>True when the answer is known without the database; <paramref name="stored"/> is null for a remembered miss.</summary>
    public bool TryGet(string keyId, out StoredApiKey? stored)
    {
        if (_keys.TryGetValue(keyId, out stored)) return true;
        stored = null;
        return _misses.TryGetValue(keyId, out _);
    }

    public void Remember(string keyId, StoredApiKey? stored)
    {
        if (stored is not { Revoked: false })
        {
            _misses.Set(keyId, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = MissFor });
            return;
        }
        var seconds = _options.Get(ApiKeyAuthentication.Scheme).CacheSeconds;
        if (seconds > 0)
            _keys.Set(keyId, stored, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(seconds) });
    }

    public void Dispose()
    {
        _keys.Dispose();
        _misses.Dispose();
    }

    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
