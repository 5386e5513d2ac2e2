namespace Gateway.Ike;

/// <summary>
/// Fixed bounds the parser enforces so that any input, however hostile, costs bounded time and memory.
/// They are generous for every real client seen (Windows, strongSwan, Apple) and small enough that an
/// unauthenticated peer cannot make one datagram expand into large object graphs.
/// </summary>
public static class IkeLimits
{
    /// <summary>Largest IKE message accepted or built: the 16-bit length of IKE over TCP (RFC 8229) and above any UDP datagram.</summary>
    public const int MaxMessageLength = 65535;

    /// <summary>Most payloads in one chain (outer message, or the decrypted inner chain of SK).</summary>
    public const int MaxPayloads = 128;

    /// <summary>Most proposals in one SA payload (Windows offers about a dozen; numbers are one byte anyway).</summary>
    public const int MaxProposals = 64;

    /// <summary>Most transforms in one proposal: the wire count is one byte, strongSwan's default proposal has ~60.</summary>
    public const int MaxTransformsPerProposal = 255;

    /// <summary>Most attributes on one transform (only Key Length is defined; a few unknown ones are tolerated).</summary>
    public const int MaxAttributesPerTransform = 8;

    /// <summary>Most traffic selectors in one TS payload.</summary>
    public const int MaxTrafficSelectors = 64;

    /// <summary>Most attributes in one CP payload.</summary>
    public const int MaxConfigurationAttributes = 128;

    /// <summary>Most SPIs in one Delete payload.</summary>
    public const int MaxDeleteSpis = 1024;

    /// <summary>IKE header length (RFC 7296 §3.1).</summary>
    public const int HeaderLength = 28;

    /// <summary>Generic payload header length (RFC 7296 §3.2).</summary>
    public const int GenericPayloadHeaderLength = 4;
}
