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
    public static IkeParseResult<IkeMessage> Parse(ReadOnlySpan<byte> datagram)
    {
        if (!IkeHeader.TryParse(datagram, out var header, out var error))
        {
            string detail = error switch
            {
                IkeParseError.Truncated when datagram.Length < IkeLimits.HeaderLength => $"{datagram.Length} bytes, header needs 28",
                IkeParseError.UnsupportedMajorVersion => $"major version {header.MajorVersion}",
                _ => $"header length {header.Length}, datagram {datagram.Length}",
            };
            return IkeParseResult<IkeMessage>.Fail(new(error, PayloadType.None, 0, detail));
        }
        var copy = datagram.ToArray();
        var body = new ReadOnlyMemory<byte>(copy, IkeLimits.HeaderLength, copy.Length - IkeLimits.HeaderLength);
        return PayloadChain.TryParse(header.NextPayload, body, IkeLimits.HeaderLength, inner: false, header.IsResponse, out var payloads, out var f)
            ? IkeParseResult<IkeMessage>.Ok(new IkeMessage(header, payloads))
            : IkeParseResult<IkeMessage>.Fail(f);
    }

    public int GetSize() => IkeLimits.HeaderLength + PayloadChain.GetSize(Payloads);

    /// <summary>Writes header and payloads; returns the bytes written (= <see cref="GetSize"/>).</summary>
    public int WriteTo(Span<byte> destination)
    {
        // Each payload is measured once: the sizes give the header's Length and then every payload's length field.
        Span<int> sizes = Payloads.Count <= PayloadChain.MaxStackSizes ? stackalloc int[Payloads.Count] : new int[Payloads.Count];
        int size = IkeLimits.HeaderLength + PayloadChain.MeasureEach(Payloads, sizes);
        return WriteTo(destination, size, sizes);
    }

    public byte[] ToArray()
    {
        Span<int> sizes = Payloads.Count <= PayloadChain.MaxStackSizes ? stackalloc int[Payloads.Count] : new int[Payloads.Count];
        int size = IkeLimits.HeaderLength + PayloadChain.MeasureEach(Payloads, sizes);
        var buffer = new byte[size];
        WriteTo(buffer, size, sizes);
        return buffer;
    }

    private int WriteTo(Span<byte> destination, int size, ReadOnlySpan<int> sizes)
    {
        var header = EffectiveHeader(size);
        if (header.Length > IkeLimits.MaxMessageLength)
            throw new InvalidOperationException($"Message of {header.Length} bytes exceeds {IkeLimits.MaxMessageLength}.");
        header.WriteTo(destination);
        return IkeLimits.HeaderLength + PayloadChain.Write(destination[IkeLimits.HeaderLength..], Payloads, sizes);
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
