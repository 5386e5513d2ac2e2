namespace Gateway.DataPlane.Steering;

/// <summary>
/// The datagram one node sends another on the forward socket: a 4-byte header ("GW", version 1, kind 1 = ESP) and the
/// ESP packet as received (SPI first). The header only guards against stray datagrams and leaves room for other kinds;
/// the ESP inside is authenticated by its SA like any other.
/// </summary>
public static class EspForwardFrame
{
    public const int HeaderLength = 4;
    private const byte Version = 1, KindEsp = 1;

    public static int Write(ReadOnlySpan<byte> esp, Span<byte> frame)
    {
        frame[0] = (byte)'G';
        frame[1] = (byte)'W';
        frame[2] = Version;
        frame[3] = KindEsp;
        esp.CopyTo(frame[HeaderLength..]);
        return HeaderLength + esp.Length;
    }

    public static bool TryOpen(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> esp)
    {
        esp = default;
        if (frame.Length <= HeaderLength || frame[0] != (byte)'G' || frame[1] != (byte)'W' || frame[2] != Version || frame[3] != KindEsp)
            return false;
        esp = frame[HeaderLength..];
        return true;
    }
}
