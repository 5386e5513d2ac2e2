using System.Net;

namespace Gateway.Ike.Tests;

/// <summary>Generates random but valid messages from a seeded Random, covering every payload type.</summary>
internal sealed class RandomMessages(int seed)
{
    private readonly Random _r = new(seed);

    private byte[] Bytes(int min, int max)
    {
        var b = new byte[_r.Next(min, max + 1)];
        _r.NextBytes(b);
        return b;
    }

    public IkeMessage Next()
    {
        var header = new IkeHeader((ulong)_r.NextInt64(), (ulong)_r.NextInt64(), PayloadType.None, 2, (byte)_r.Next(16),
            (ExchangeType)_r.Next(34, 38), (IkeHeaderFlags)(_r.Next(8) << 3), (uint)_r.Next(), 0);
        int count = _r.Next(0, 10);
        var payloads = new List<Payload>();
        for (int i = 0; i < count; i++)
            { var p = NextPayload(); payloads.Add(p is UnknownPayload ? p : p with { Critical = _r.Next(8) == 0 }); }
        if (_r.Next(4) == 0)
        {
            payloads.Add(_r.Next(2) == 0
                ? new EncryptedPayload((PayloadType)_r.Next(33, 49), Bytes(0, 64))
                : new EncryptedFragmentPayload((PayloadType)_r.Next(0, 49), 1, (ushort)_r.Next(1, 5), Bytes(0, 64)));
        }
        return IkeMessage.Create(header, payloads);
    }

    private Payload NextPayload() => _r.Next(16) switch
    {
        0 => new SecurityAssociationPayload(Proposals()),
        1 => new KeyExchangePayload((KeyExchangeGroup)_r.Next(40), Bytes(0, 64)),
        2 => new IdentificationPayload(_r.Next(2) == 0, (IdType)_r.Next(1, 14), Bytes(0, 32)),
        3 => new CertificatePayload((CertificateEncoding)_r.Next(1, 16), Bytes(0, 64)),
        4 => new CertificateRequestPayload((CertificateEncoding)_r.Next(1, 16), Bytes(0, 40)),
        5 => new AuthenticationPayload((AuthMethod)_r.Next(1, 15), Bytes(0, 64)),
        6 => new NoncePayload(Bytes(16, 256)),
        7 => new NotifyPayload((ProtocolId)_r.Next(4), Bytes(0, 8), (ushort)_r.Next(65536), Bytes(0, 32)),
        8 => _r.Next(2) == 0 ? new DeletePayload(ProtocolId.Ike, [])
            : new DeletePayload(ProtocolId.Esp, [.. Enumerable.Range(0, _r.Next(0, 5)).Select(_ => (uint)_r.Next())]),
        9 => new VendorIdPayload(Bytes(0, 20)),
        10 => new TrafficSelectorPayload(_r.Next(2) == 0, [.. Enumerable.Range(0, _r.Next(1, 4)).Select(_ => Selector())]),
        11 => new ConfigurationPayload((ConfigurationType)_r.Next(1, 5), [.. Enumerable.Range(0, _r.Next(0, 6)).Select(_ => CpAttribute())]),
        12 => Eap(),
        13 => new UnknownPayload((PayloadType)_r.Next(49, 53), Bytes(0, 16)),
        14 => new UnknownPayload((PayloadType)_r.Next(128, 256), Bytes(0, 16)),
        _ => new NoncePayload(Bytes(16, 32)),
    };

    private List<Proposal> Proposals()
    {
        var list = new List<Proposal>();
        byte number = 1;
        int n = _r.Next(1, 5);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && _r.Next(3) != 0)
                number++;
            var protocol = (ProtocolId)_r.Next(1, 4);
            var spi = protocol == ProtocolId.Ike ? (_r.Next(2) == 0 ? [] : Bytes(8, 8)) : Bytes(4, 4);
            var transforms = Enumerable.Range(0, _r.Next(0, 8)).Select(_ => new Transform((TransformType)_r.Next(1, 6), (ushort)_r.Next(40),
                _r.Next(3) switch
                {
                    0 => [],
                    1 => [TransformAttribute.Tv(TransformAttributeType.KeyLength, (ushort)(_r.Next(1, 3) * 128))],
                    _ => [TransformAttribute.Tv((TransformAttributeType)_r.Next(1, 14), (ushort)_r.Next(65536)), TransformAttribute.Tlv((ushort)_r.Next(15, 32000), Bytes(0, 6))],
                })).ToList();
            list.Add(new Proposal(number, protocol, spi, transforms));
        }
        return list;
    }

    private TrafficSelector Selector()
    {
        int len = _r.Next(2) == 0 ? 4 : 16;
        return new TrafficSelector(len == 4 ? TrafficSelectorType.Ipv4AddressRange : TrafficSelectorType.Ipv6AddressRange,
            (byte)_r.Next(256), (ushort)_r.Next(65536), (ushort)_r.Next(65536), Bytes(len, len), Bytes(len, len));
    }

    private ConfigurationAttribute CpAttribute()
    {
        ushort type = (ushort)_r.Next(1, 27);
        var allowed = type switch { 1 or 2 or 3 or 4 or 6 => new[] { 0, 4 }, 13 => [0, 8], 8 or 15 => [0, 17], 10 or 12 => [0, 16], _ => [_r.Next(0, 12)] };
        int length = allowed[_r.Next(allowed.Length)];
        return new ConfigurationAttribute(type, Bytes(length, length));
    }

    private EapPayload Eap()
    {
        var m = Bytes(4, 40);
        m[0] = (byte)_r.Next(1, 5);
        m[2] = (byte)(m.Length >> 8);
        m[3] = (byte)m.Length;
        return new EapPayload(m);
    }
}
