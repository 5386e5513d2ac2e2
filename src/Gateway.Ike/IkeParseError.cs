namespace Gateway.Ike;

/// <summary>Why a datagram (or a decrypted payload chain) was rejected. One value per kind of defect.</summary>
public enum IkeParseError
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>Fewer bytes than the header, a length field or a fixed field needs.</summary>
    Truncated,
    /// <summary>Header length differs from the datagram length, or bytes remain after the last payload.</summary>
    LengthMismatch,
    /// <summary>A length field is impossible: below its own header, or running past its container.</summary>
    InvalidLength,
    /// <summary>A payload body is shorter than its type's fixed fields.</summary>
    PayloadTooShort,
    /// <summary>Major version is not 2 (answer INVALID_MAJOR_VERSION).</summary>
    UnsupportedMajorVersion,
    /// <summary>An unknown payload type with the critical bit set (answer UNSUPPORTED_CRITICAL_PAYLOAD with <see cref="IkeParseFailure.PayloadType"/>).</summary>
    UnsupportedCriticalPayload,
    /// <summary>First proposal number is not 1, or a later one is neither equal to nor one more than its predecessor (RFC 7296 §3.3).</summary>
    InvalidProposalNumbering,
    /// <summary>SA payload without proposals, or the last-substructure flags disagree with the bytes present.</summary>
    ProposalCountMismatch,
    /// <summary>A proposal's transform count disagrees with its transforms, or a transform's last flag is wrong.</summary>
    TransformCountMismatch,
    /// <summary>A transform or configuration attribute is malformed (overrun, Key Length not in TV form, bad value length).</summary>
    InvalidAttribute,
    /// <summary>SPI size not allowed for its protocol (proposal: IKE 0/8, ESP/AH 4; delete: IKE 0, ESP/AH 4).</summary>
    InvalidSpiSize,
    /// <summary>Protocol ID other than IKE, AH, ESP (or none where allowed).</summary>
    InvalidProtocolId,
    /// <summary>Traffic selector of unknown type, with a wrong selector length, or a count that disagrees with the bytes.</summary>
    InvalidTrafficSelector,
    /// <summary>Nonce outside 16..256 bytes (RFC 7296 §3.9).</summary>
    InvalidNonceLength,
    /// <summary>EAP message whose own length field disagrees with the payload.</summary>
    InvalidEapMessage,
    /// <summary>SKF fragment number 0, total 0, or number above total (RFC 7383 §2.5).</summary>
    InvalidFragmentNumber,
    /// <summary>More payloads than <see cref="IkeLimits.MaxPayloads"/>.</summary>
    TooManyPayloads,
    /// <summary>More proposals, transforms, attributes, selectors or SPIs than the bounds in <see cref="IkeLimits"/>.</summary>
    TooManyElements,
    /// <summary>Message longer than <see cref="IkeLimits.MaxMessageLength"/>.</summary>
    MessageTooLarge,
    /// <summary>SK or SKF not last, or found inside an already decrypted chain.</summary>
    MisplacedEncryptedPayload,
}
