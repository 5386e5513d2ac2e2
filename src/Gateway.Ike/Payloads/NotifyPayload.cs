using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Gateway.Ike;

/// <summary>
/// N payload (RFC 7296 §3.10). The notify type is kept as its raw 16-bit value so private and future types
/// survive a round trip; <see cref="NotifyType"/> is the enum view. Helpers build and read the data formats the
/// gateway uses.
/// </summary>
public sealed record NotifyPayload(ProtocolId Protocol, ReadOnlyMemory<byte> Spi, ushort RawNotifyType, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Notify;

    public NotifyType NotifyType => (NotifyType)RawNotifyType;

    /// <summary>Error types are below 16384 (RFC 7296 §3.10.1).</summary>
    public bool IsError => RawNotifyType < 16384;

    public override int GetBodySize() => 4 + Spi.Length + Data.Length;

    public override int WriteBody(Span<byte> d)
    {
        d[0] = (byte)Protocol;
        d[1] = (byte)Spi.Length;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], RawNotifyType);
        int pos = 4 + ParseHelpers.Put(d[4..], Spi);
        return pos + ParseHelpers.Put(d[pos..], Data);
    }

    /// <summary>A notify about the IKE SA itself (no protocol, no SPI).</summary>
    public static NotifyPayload Create(NotifyType type, ReadOnlyMemory<byte> data = default) =>
        new(ProtocolId.None, default, (ushort)type, data);

    /// <summary>A notify about a child SA (e.g. REKEY_SA), with its 4-byte SPI.</summary>
    public static NotifyPayload CreateForChild(NotifyType type, ProtocolId protocol, uint spi, ReadOnlyMemory<byte> data = default)
    {
        var spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        return new NotifyPayload(protocol, spiBytes, (ushort)type, data);
    }

    /// <summary>
    /// NAT_DETECTION_*_IP data (RFC 7296 §2.23): SHA-1 over SPIi | SPIr | IP address | port, all in network order.
    /// </summary>
    public static byte[] ComputeNatDetectionHash(ulong initiatorSpi, ulong responderSpi, IPAddress address, ushort port)
    {
        Span<byte> input = stackalloc byte[16 + 16 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, initiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(input[8..], responderSpi);
        if (!address.TryWriteBytes(input[16..], out int written))
            throw new ArgumentException("Unsupported address.", nameof(address));
        BinaryPrimitives.WriteUInt16BigEndian(input[(16 + written)..], port);
        return SHA1.HashData(input[..(16 + written + 2)]);
    }

    public static NotifyPayload NatDetection(bool source, ReadOnlyMemory<byte> hash) =>
        Create(source ? NotifyType.NatDetectionSourceIp : NotifyType.NatDetectionDestinationIp, hash);

    /// <summary>SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4): a list of 16-bit hash identifiers.</summary>
    public static NotifyPayload SignatureHashAlgorithms(IReadOnlyList<SignatureHashAlgorithm> algorithms)
    {
        var data = new byte[algorithms.Count * 2];
        for (int i = 0; i < algorithms.Count; i++)
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), (ushort)algorithms[i]);
        return Create(NotifyType.SignatureHashAlgorithms, data);
    }

    public bool TryGetSignatureHashAlgorithms(out SignatureHashAlgorithm[] algorithms)
    {
        algorithms = [];
        if (NotifyType != NotifyType.SignatureHashAlgorithms || Data.Length % 2 != 0)
            return false;
        algorithms = new SignatureHashAlgorithm[Data.Length / 2];
        for (int i = 0; i < algorithms.Length; i++)
            algorithms[i] = (SignatureHashAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(Data.Span[(i * 2)..]);
        return true;
    }

    /// <summary>INVALID_KE_PAYLOAD (RFC 7296 §1.3): the group the responder wants.</summary>
    public static NotifyPayload InvalidKe(KeyExchangeGroup group)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)group);
        return Create(NotifyType.InvalidKePayload, data);
    }

    public bool TryGetInvalidKeGroup(out KeyExchangeGroup group)
    {
        group = default;
        if (NotifyType != NotifyType.InvalidKePayload || Data.Length != 2)
            return false;
        group = (KeyExchangeGroup)BinaryPrimitives.ReadUInt16BigEndian(Data.Span);
        return true;
    }

    /// <summary>REDIRECT (RFC 5685 §8.2): gateway identity, then the initiator's nonce when sent in IKE_SA_INIT.
    /// REDIRECTED_FROM uses the same identity format without nonce.</summary>
    public static NotifyPayload Redirect(GatewayIdentity gateway, ReadOnlySpan<byte> nonce, NotifyType type = NotifyType.Redirect)
    {
        var data = new byte[2 + gateway.Value.Length + nonce.Length];
        data[0] = (byte)gateway.Type;
        data[1] = (byte)gateway.Value.Length;
        gateway.Value.Span.CopyTo(data.AsSpan(2));
        nonce.CopyTo(data.AsSpan(2 + gateway.Value.Length));
        return Create(type, data);
    }

    public bool TryGetRedirect(out GatewayIdentity gateway, out ReadOnlyMemory<byte> nonce)
    {
        gateway = default;
        nonce = default;
        if (NotifyType is not (NotifyType.Redirect or NotifyType.RedirectedFrom) || Data.Length < 2)
            return false;
        int length = Data.Span[1];
        if (2 + length > Data.Length)
            return false;
        gateway = new GatewayIdentity((GatewayIdentityType)Data.Span[0], Data.Slice(2, length));
        nonce = Data[(2 + length)..];
        return true;
    }

    /// <summary>ADDITIONAL_IP4/IP6_ADDRESS (RFC 4555 §3.6): the address as data.</summary>
    public static NotifyPayload AdditionalAddress(IPAddress address) =>
        Create(address.AddressFamily == AddressFamily.InterNetwork ? NotifyType.AdditionalIp4Address : NotifyType.AdditionalIp6Address,
            address.GetAddressBytes());

    public bool TryGetAddress(out IPAddress? address)
    {
        address = null;
        if (NotifyType == NotifyType.AdditionalIp4Address && Data.Length == 4
            || NotifyType == NotifyType.AdditionalIp6Address && Data.Length == 16)
            address = new IPAddress(Data.Span);
        return address is not null;
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, out Payload? payload, out IkeParseFailure f)
    {
        payload = null;
        var span = body.Span;
        if (span.Length < 4)
            return ParseHelpers.TooShort(out f, PayloadType.Notify, offset, 4, span.Length);
        var protocol = (ProtocolId)span[0];
        if (protocol is not (ProtocolId.None or ProtocolId.Ike or ProtocolId.Ah or ProtocolId.Esp))
            return ParseHelpers.Fail(out f, IkeParseError.InvalidProtocolId, PayloadType.Notify, offset, $"protocol {span[0]} in notify");
        int spiSize = span[1];
        if (4 + spiSize > span.Length)
            return ParseHelpers.Fail(out f, IkeParseError.InvalidSpiSize, PayloadType.Notify, offset + 1, $"SPI size {spiSize} overruns notify");
        ushort rawType = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        payload = span.Length == 4 && protocol == ProtocolId.None && TryGetShared(rawType, out var shared)
            ? shared
            : new NotifyPayload(protocol, body.Slice(4, spiSize), rawType, body[(4 + spiSize)..]);
        f = default;
        return true;
    }

    /// <summary>
    /// Status notifies without protocol, SPI or data (INITIAL_CONTACT, MOBIKE_SUPPORTED, ESP_TFC_PADDING_NOT_SUPPORTED
    /// and most others a peer sends) are parsed into one shared instance per type instead of a new object each: the
    /// record is immutable and compared by value, and these are 5 of the 23 objects of the typical parsed IKE_AUTH. The table
    /// is fixed (the first <see cref="SharedCount"/> status types), so no input makes it grow; two threads racing to
    /// fill a slot both store an equal instance.
    /// </summary>
    private static bool TryGetShared(ushort rawType, out NotifyPayload shared)
    {
        uint index = (uint)(rawType - FirstStatusType);
        if (index >= SharedCount)
        {
            shared = null!;
            return false;
        }
        shared = SharedEmpty[index] ??= new NotifyPayload(ProtocolId.None, default, rawType, default);
        return true;
    }

    private const int FirstStatusType = 16384;
    private const int SharedCount = 64;
    private static readonly NotifyPayload?[] SharedEmpty = new NotifyPayload?[SharedCount];
}

/// <summary>A gateway identity of REDIRECT / REDIRECTED_FROM (RFC 5685 §10): address bytes or an FQDN.</summary>
public readonly record struct GatewayIdentity(GatewayIdentityType Type, ReadOnlyMemory<byte> Value)
{
    public static GatewayIdentity FromAddress(IPAddress address) =>
        new(address.AddressFamily == AddressFamily.InterNetwork ? GatewayIdentityType.Ipv4Address : GatewayIdentityType.Ipv6Address,
            address.GetAddressBytes());

    public static GatewayIdentity FromFqdn(string fqdn) => new(GatewayIdentityType.Fqdn, System.Text.Encoding.ASCII.GetBytes(fqdn));

    public override string ToString() => Type switch
    {
        GatewayIdentityType.Ipv4Address when Value.Length == 4 => new IPAddress(Value.Span).ToString(),
        GatewayIdentityType.Ipv6Address when Value.Length == 16 => new IPAddress(Value.Span).ToString(),
        _ => System.Text.Encoding.ASCII.GetString(Value.Span),
    };
}
