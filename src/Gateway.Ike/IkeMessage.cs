namespace Gateway.Ike;

/// <summary>
/// A whole IKE message: header and payload chain. Parse never throws; building computes the header's Next Payload
/// and Length and every payload's chaining and length fields.
/// </summary>
public sealed record IkeMessage(IkeHeader Header, IReadOnlyList<Payload> Payloads)
{
    /// <summary>A message whose header Next Payload and Length already match its payloads.</summary>
    public static IkeMessage Create(IkeHeader header, IReadOnlyList<Payload> payloads)
    {
        var message = new IkeMessage(header, payloads);
        return message with { Header = message.EffectiveHeader(message.GetSize()) };
    }

    /// <summary>
    /// Parses a datagram (UDP payload without the non-ESP marker). Copies the input once, so the caller may reuse
    /// its buffer; payload bodies are slices of that copy.
    /// </summary>
    public static IkeParseResult<IkeMessage> Parse(ReadOnlySpan<byte> datagram) =>
        IkeHeader.TryParse(datagram, out var header, out var error)
            ? ParseBody(header, CopyOf(datagram))
            : HeaderFailure(datagram.Length, header, error);

    /// <summary>
    /// As <see cref="Parse"/>, without the copy: payload bodies are slices of <paramref name="datagram"/>, so the
    /// caller hands the buffer over and must not change or reuse it while the message is in use.
    /// </summary>
    public static IkeParseResult<IkeMessage> ParseWithoutCopy(ReadOnlyMemory<byte> datagram) =>
        IkeHeader.TryParse(datagram.Span, out var header, out var error)
            ? ParseBody(header, datagram)
            : HeaderFailure(datagram.Length, header, error);

    private static IkeParseResult<IkeMessage> ParseBody(in IkeHeader header, ReadOnlyMemory<byte> datagram) =>
        PayloadChain.TryParse(header.NextPayload, datagram[IkeLimits.HeaderLength..], IkeLimits.HeaderLength, inner: false, header.IsResponse, out var payloads, out var f)
            ? IkeParseResult<IkeMessage>.Ok(new IkeMessage(header, payloads))
            : IkeParseResult<IkeMessage>.Fail(f);

    /// <summary>The parser's own copy of the input: not zeroed first, since every byte is overwritten at once.</summary>
    private static byte[] CopyOf(ReadOnlySpan<byte> datagram)
    {
        byte[] copy = GC.AllocateUninitializedArray<byte>(datagram.Length);
        datagram.CopyTo(copy);
        return copy;
    }

    private static IkeParseResult<IkeMessage> HeaderFailure(int length, in IkeHeader header, IkeParseError error)
    {
        string detail = error switch
        {
            IkeParseError.Truncated when length < IkeLimits.HeaderLength => $"{length} bytes, header needs 28",
            IkeParseError.UnsupportedMajorVersion => $"major version {header.MajorVersion}",
            _ => $"header length {header.Length}, datagram {length}",
        };
        return IkeParseResult<IkeMessage>.Fail(new(error, PayloadType.None, 0, detail));
    }

    public int GetSize() => IkeLimits.HeaderLength + PayloadChain.GetSize(Payloads);

    /// <summary>
    /// Writes header and payloads; returns the bytes written (= <see cref="GetSize"/>). The payloads go first and the
    /// header after them, with the length they add up to, so the message is walked once. Throws when
    /// <paramref name="destination"/> is too short (its contents are then undefined).
    /// </summary>
    public int WriteTo(Span<byte> destination)
    {
        if (destination.Length < IkeLimits.HeaderLength)
            throw new ArgumentException("Destination shorter than an IKE header.", nameof(destination));
        int size = IkeLimits.HeaderLength + PayloadChain.Write(destination[IkeLimits.HeaderLength..], Payloads);
        if (size > IkeLimits.MaxMessageLength)
            throw new InvalidOperationException($"Message of {size} bytes exceeds {IkeLimits.MaxMessageLength}.");
        EffectiveHeader(size).WriteTo(destination);
        return size;
    }

    public byte[] ToArray()
    {
        var buffer = new byte[GetSize()];
        WriteTo(buffer);
        return buffer;
    }

    /// <summary>True when the last payload is SK or SKF: the rest is inside the ciphertext.</summary>
    public bool IsEncrypted => Payloads.Count > 0 && Payloads[^1].Type is PayloadType.Encrypted or PayloadType.EncryptedFragment;

    /// <summary>The first payload of a type, or null.</summary>
    public T? Find<T>() where T : Payload
    {
        for (int i = 0; i < Payloads.Count; i++)
        {
            if (Payloads[i] is T t)
                return t;
        }
        return null;
    }

    /// <summary>The first notify of a type, or null.</summary>
    public NotifyPayload? FindNotify(NotifyType type)
    {
        for (int i = 0; i < Payloads.Count; i++)
        {
            if (Payloads[i] is NotifyPayload n && n.NotifyType == type)
                return n;
        }
        return null;
    }

    private IkeHeader EffectiveHeader(int size) => Header with
    {
        NextPayload = Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None,
        Length = (uint)size,
    };
}
