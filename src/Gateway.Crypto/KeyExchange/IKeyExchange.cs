using Gateway.Ike;

namespace Gateway.Crypto.KeyExchange;

/// <summary>Why a peer's key exchange value was refused.</summary>
public enum KeyExchangeError
{
    None = 0,
    /// <summary>The peer value does not have the exact length the group requires.</summary>
    WrongLength,
    /// <summary>MODP: the peer value is not in the range 1 &lt; y &lt; p−1.</summary>
    OutOfRange,
    /// <summary>ECP: the point is not on the curve (or is the point at infinity).</summary>
    InvalidPoint,
    /// <summary>X25519/X448: the shared secret is all zero (low-order peer point, RFC 7748 §6).</summary>
    AllZeroSharedSecret,
    /// <summary>The key exchange object has been disposed.</summary>
    Disposed,
}

/// <summary>
/// One side of an ephemeral key exchange for IKEv2 (the KE payload). Create with <see cref="KeyExchangeFactory"/>.
/// Not thread-safe; one instance per exchange. Dispose to drop the private key.
/// </summary>
public interface IKeyExchange : IDisposable
{
    /// <summary>The IANA transform type 4 identifier.</summary>
    KeyExchangeGroup Group { get; }

    /// <summary>Length in bytes of the public value in the KE payload (and of the peer's).</summary>
    int PublicKeyLength { get; }

    /// <summary>
    /// Our public value in IKE wire format: MODP padded to the prime length, ECP x‖y (RFC 5903 §7),
    /// X25519/X448 raw little-endian u-coordinate (RFC 8031). A copy is returned each time.
    /// </summary>
    byte[] PublicKey { get; }

    /// <summary>
    /// Validates the peer's public value and computes the shared secret g^ir (MODP: padded to the prime length;
    /// ECP: x coordinate per RFC 5903 §7; X25519/X448: raw output).
    /// </summary>
    bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublic, out byte[] secret, out KeyExchangeError error);
}
