namespace Gateway.Ike;

/// <summary>
/// One IKEv2 payload: the generic header's type and critical bit, plus a typed body. The next-payload and length
/// fields are not stored: writers compute them from the chain, so a built message is always self-consistent.
/// </summary>
public abstract record Payload
{
    /// <summary>The payload type written in the previous payload's (or header's) Next Payload field.</summary>
    public abstract PayloadType Type { get; }

    /// <summary>The critical bit as received or to be sent. RFC 7296 §2.5: only meaningful for unknown types.</summary>
    public bool Critical { get; init; }

    /// <summary>Body length in bytes (without the 4-byte generic header).</summary>
    public abstract int GetBodySize();

    /// <summary>
    /// Writes exactly <see cref="GetBodySize"/> bytes of body and returns that count, so that the chain writer can
    /// fill in the length field afterwards instead of measuring every payload first.
    /// </summary>
    public abstract int WriteBody(Span<byte> destination);

    /// <summary>
    /// The value this payload puts into its own Next Payload field when it ends a chain. Only SK and SKF differ:
    /// their field names the first payload inside the ciphertext (RFC 7296 §3.14, RFC 7383 §2.5).
    /// </summary>
    internal virtual PayloadType TrailingNextPayload => PayloadType.None;

    /// <summary>Body plus generic header.</summary>
    public int GetSize() => IkeLimits.GenericPayloadHeaderLength + GetBodySize();

    /// <summary>The body as a fresh array (e.g. the ID payload body that AUTH signs, RFC 7296 §2.15).</summary>
    public byte[] GetBodyBytes()
    {
        var body = new byte[GetBodySize()];
        WriteBody(body);
        return body;
    }
}
