using System.Security.Cryptography;

namespace Gateway.Crypto.Eap;

/// <summary>
/// What MS-CHAPv2 needs of a password: its NT hash (MD4 of UTF-16LE). The password itself is not kept; neither is
/// shown by <see cref="ToString"/>.
/// </summary>
public sealed class MsChapV2Credential
{
    private readonly byte[] _ntPasswordHash;

    private MsChapV2Credential(byte[] ntPasswordHash) => _ntPasswordHash = ntPasswordHash;

    /// <summary>From a clear-text password.</summary>
    public static MsChapV2Credential FromPassword(string password) => new(MsChapV2Crypto.NtPasswordHash(password));

    /// <summary>From a stored NT password hash (16 bytes).</summary>
    public static MsChapV2Credential FromNtPasswordHash(ReadOnlySpan<byte> ntPasswordHash)
    {
        if (ntPasswordHash.Length != MsChapV2Crypto.PasswordHashLength)
            throw new ArgumentException("An NT password hash is 16 bytes.", nameof(ntPasswordHash));
        return new MsChapV2Credential(ntPasswordHash.ToArray());
    }

    internal ReadOnlySpan<byte> NtPasswordHash => _ntPasswordHash;

    /// <summary>Redacted.</summary>
    public override string ToString() => "MsChapV2Credential(***)";

    /// <summary>Overwrites the hash; the credential is unusable afterwards.</summary>
    public void Clear() => CryptographicOperations.ZeroMemory(_ntPasswordHash);
}

/// <summary>Fills a buffer with random bytes (injectable for tests).</summary>
public delegate void RandomFill(Span<byte> destination);

/// <summary>How an EAP method stands after a step.</summary>
public enum EapMethodStatus
{
    /// <summary>Send <see cref="EapStep.Send"/> and wait for the next packet.</summary>
    Continue,

    /// <summary>Authentication succeeded; the MSK is available. Send <see cref="EapStep.Send"/> if any.</summary>
    Succeeded,

    /// <summary>Authentication failed. Send <see cref="EapStep.Send"/> if any.</summary>
    Failed,

    /// <summary>The packet was not for this step (e.g. a stale identifier) and was dropped; nothing changed.</summary>
    Ignored,
}

/// <summary>The outcome of feeding a packet to an EAP method state machine.</summary>
/// <param name="Send">The packet to send, if any.</param>
/// <param name="Status">Where the method stands.</param>
/// <param name="Reason">Why it failed or ignored the packet, in words fit for a log (never secrets).</param>
public sealed record EapStep(EapPacket? Send, EapMethodStatus Status, string? Reason = null);
