using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Lifetimes and rekeying (RFC 7296 §2.8): soft → we rekey, hard → we delete. Soft lifetimes are shortened by a random
/// share of up to <see cref="Jitter"/> so that both peers (and many clients connected at the same moment) do not rekey
/// at once. Reached as <c>ResponderOptions.Rekey</c>.
/// </summary>
public sealed record RekeyOptions
{
    /// <summary>Child SA age at which we start a rekey (before jitter).</summary>
    public TimeSpan ChildSoftLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Child SA age at which we delete it, rekeyed or not.</summary>
    public TimeSpan ChildHardLifetime { get; init; } = TimeSpan.FromMinutes(66);

    /// <summary>Bytes (both directions) after which we rekey a child SA; null: no byte limit.</summary>
    public long? ChildSoftBytes { get; init; }

    /// <summary>Bytes (both directions) after which we delete a child SA; null: no byte limit.</summary>
    public long? ChildHardBytes { get; init; }

    /// <summary>IKE SA age at which we rekey it (before jitter). Reauthentication is not required of clients.</summary>
    public TimeSpan IkeSaLifetime { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Share (0..1) of a soft lifetime that is randomly taken off.</summary>
    public double Jitter { get; init; } = 0.1;

    /// <summary>
    /// Key exchange group for PFS in child SA rekeys we start; null: the group of the rekeyed SA (none for the first
    /// child, which got no key exchange of its own).
    /// </summary>
    public KeyExchangeGroup? ChildRekeyPfsGroup { get; init; }

    /// <summary>Whether the peer may create further child SAs with CREATE_CHILD_SA (else NO_ADDITIONAL_SAS).</summary>
    public bool AllowAdditionalChildSas { get; init; } = true;

    /// <summary>At most this many child SAs (old ones awaiting deletion after a rekey not counted).</summary>
    public int MaxChildSas { get; init; } = 8;

    /// <summary>Wait before we try a rekey again after the peer answered TEMPORARY_FAILURE (or refused it).</summary>
    public TimeSpan RekeyRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an IKE SA replaced by a rekey may wait for its Delete before we drop it ourselves.</summary>
    public TimeSpan OldIkeSaLinger { get; init; } = TimeSpan.FromMinutes(2);

    public static readonly RekeyOptions Default = new();
}

/// <summary>Timer keys of rekeying and lifetimes (the actor treats them as opaque strings).</summary>
internal static class RekeyTimers
{
    /// <summary>We rekey the IKE SA.</summary>
    public const string IkeRekey = "ike-rekey";

    public static string ChildSoft(uint inboundSpi) => $"child-soft:{inboundSpi:x8}";

    public static string ChildHard(uint inboundSpi) => $"child-hard:{inboundSpi:x8}";

    public static string OldIkeSa(ulong localSpi) => $"ike-old:{localSpi:x16}";

    public static bool TryParseChild(string key, out bool soft, out uint inboundSpi)
    {
        soft = key.StartsWith("child-soft:", StringComparison.Ordinal);
        bool hard = key.StartsWith("child-hard:", StringComparison.Ordinal);
        inboundSpi = 0;
        return (soft || hard) && uint.TryParse(key.AsSpan(11), System.Globalization.NumberStyles.HexNumber, null, out inboundSpi);
    }

    public static bool TryParseOldIkeSa(string key, out ulong localSpi)
    {
        localSpi = 0;
        return key.StartsWith("ike-old:", StringComparison.Ordinal)
               && ulong.TryParse(key.AsSpan(8), System.Globalization.NumberStyles.HexNumber, null, out localSpi);
    }
}

/// <summary>Lifetime arithmetic: jittered soft lifetimes, with the randomness from the services (the machine stays pure).</summary>
internal static class Lifetimes
{
    /// <summary><paramref name="soft"/> minus a random share of up to <paramref name="jitter"/> of it.</summary>
    public static TimeSpan Jittered(TimeSpan soft, double jitter, IResponderServices services)
    {
        if (jitter <= 0)
            return soft;
        Span<byte> bytes = stackalloc byte[4];
        services.Random(bytes);
        double unit = BitConverter.ToUInt32(bytes) / (double)uint.MaxValue;
        return soft - soft * (Math.Min(jitter, 1) * unit);
    }

    /// <summary>
    /// RFC 7296 §2.8.1: nonces compare octet by octet; a nonce that is a prefix of the other is the lower one.
    /// </summary>
    public static int CompareNonces(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    /// <summary>Whether the lowest of the four nonces is one of the first exchange's (<paramref name="ni1"/>, <paramref name="nr1"/>).</summary>
    public static bool FirstHasLowestNonce(byte[] ni1, byte[] nr1, byte[] ni2, byte[] nr2)
    {
        var first = CompareNonces(ni1, nr1) <= 0 ? ni1 : nr1;
        var second = CompareNonces(ni2, nr2) <= 0 ? ni2 : nr2;
        return CompareNonces(first, second) < 0;
    }
}
