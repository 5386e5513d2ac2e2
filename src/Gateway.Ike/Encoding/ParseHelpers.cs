namespace Gateway.Ike;

/// <summary>Small helpers shared by the payload parsers, so every failure is built the same way.</summary>
internal static class ParseHelpers
{
    public static bool Fail(out IkeParseFailure failure, IkeParseError error, PayloadType type, int offset, string detail)
    {
        failure = new IkeParseFailure(error, type, offset, detail);
        return false;
    }

    public static bool TooShort(out IkeParseFailure failure, PayloadType type, int offset, int need, int have) =>
        Fail(out failure, IkeParseError.PayloadTooShort, type, offset, $"body has {have} bytes, needs at least {need}");

    /// <summary>
    /// Writes a ReadOnlyMemory into a destination and returns the bytes written. Empty values (most notify SPIs and
    /// data, every CFG_REQUEST attribute) skip the span lookup and the copy call.
    /// </summary>
    public static int Put(Span<byte> destination, ReadOnlyMemory<byte> data)
    {
        if (!data.IsEmpty)
            data.Span.CopyTo(destination);
        return data.Length;
    }
}
