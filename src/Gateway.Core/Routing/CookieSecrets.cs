using System.Security.Cryptography;

namespace Gateway.Core.Routing;

/// <summary>
/// The responder's cookie secret (RFC 7296 §2.6), replaced every <c>rotation</c>. A cookie made with the previous
/// secret stays valid for <c>grace</c> after the change, so a client that got its cookie just before a rotation is not
/// sent round again. Each secret has a one-byte version (the cookie's &lt;VersionIDofSecret&gt;); only the current and
/// the previous secret ever exist, so the byte wrapping around is harmless. Thread-safe and lock-free on the read
/// path: readers see an immutable snapshot; a rotation swaps it under a lock.
/// </summary>
public sealed class CookieSecrets
{
    public const int SecretLength = 32;

    /// <summary>One secret; <see cref="Previous"/> is the one it replaced (null after the first), retired at <see cref="PreviousRetired"/>.</summary>
    internal sealed record Generation(byte Version, byte[] Secret, DateTimeOffset Created, Generation? Previous, DateTimeOffset PreviousRetired);

    private readonly object _rotateLock = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _rotation;
    private readonly TimeSpan _grace;
    private volatile Generation _current;

    public CookieSecrets(TimeProvider clock, TimeSpan rotation, TimeSpan grace)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rotation, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        _clock = clock;
        _rotation = rotation;
        _grace = grace;
        _current = new Generation((byte)RandomNumberGenerator.GetInt32(256), RandomNumberGenerator.GetBytes(SecretLength), clock.GetUtcNow(), null, default);
    }

    /// <summary>The secret new cookies are made with (rotating first when it is due).</summary>
    internal Generation Current()
    {
        var current = _current;
        var now = _clock.GetUtcNow();
        if (now - current.Created < _rotation)
            return current;
        lock (_rotateLock)
        {
            current = _current;
            if (now - current.Created >= _rotation)
            {
                // The previous generation's own Previous is dropped: two secrets at most. Rotation is lazy (on use), so
                // the old secret counts as retired when it was due, not when someone next asked: after a quiet hour
                // it is not revived for another grace period.
                var retired = current with { Previous = null };
                _current = current = new Generation(unchecked((byte)(current.Version + 1)), RandomNumberGenerator.GetBytes(SecretLength), now,
                    retired, current.Created + _rotation);
            }
            return current;
        }
    }

    /// <summary>The secret a cookie of <paramref name="version"/> was made with, if it is still accepted.</summary>
    internal byte[]? ForVersion(byte version)
    {
        var current = Current();
        if (current.Version == version)
            return current.Secret;
        if (current.Previous is { } previous && previous.Version == version && _clock.GetUtcNow() - current.PreviousRetired < _grace)
            return previous.Secret;
        return null;
    }
}
