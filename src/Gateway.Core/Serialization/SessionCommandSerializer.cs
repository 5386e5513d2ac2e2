using System.Buffers.Binary;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Ike;
using Gateway.Core.Transport;

namespace Gateway.Core.Serialization;

/// <summary>
/// Binary form of <see cref="SessionCommand"/>s, for when a packet received on one node is routed to an entity on
/// another (issue 5). Explicit and compact: SPI, endpoints, raw IKE bytes. Layout version 1:
/// <c>spi:u64 | kind-specific</c>, endpoints as <c>len:u8 address port:u16</c>. Manifests name the kind and version.
/// </summary>
public sealed class SessionCommandSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 7296; // RFC 7296; Akka reserves 0–100.

    private const string OpenManifest = "open.v1";
    private const string DeliverManifest = "deliver.v1";
    private const string CloseManifest = "close.v1";
    private const string DiscardManifest = "discard.v1";    // spi | reason (UTF-8), like close
    private const string RedirectManifest = "redirect.v1";      // spi | identity type:u8 | identity bytes
    // v2 names the session (session id:u64 | outcome:u8); v1 named an SPI (spi:u64 | outcome:u8) and is still read,
    // as the session of that SPI, so a node of the previous version can answer during a rolling upgrade.
    private const string RedirectReplyManifest = "redirect-reply.v2";
    private const string RedirectReplyV1Manifest = "redirect-reply.v1";
    private const string WakeManifest = "wake.v1";                   // spi
    private const string AwakeManifest = "awake.v1";                 // session id
    private const string WakeAfterHandOffManifest = "wake-after-handoff.v1"; // session id
    private const string ProbeManifest = "probe.v1";                 // spi
    private const string ProbedManifest = "probed.v1";               // session id | running:u8

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        OpenIkeSa => OpenManifest,
        DeliverToIkeSa => DeliverManifest,
        CloseIkeSa => CloseManifest,
        DiscardIkeSa => DiscardManifest,
        RedirectIkeSa => RedirectManifest,
        RedirectReply => RedirectReplyManifest,
        WakeSession => WakeManifest,
        SessionAwake => AwakeManifest,
        WakeAfterHandOff => WakeAfterHandOffManifest,
        ProbeSession => ProbeManifest,
        SessionProbed => ProbedManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        OpenIkeSa m => WithDatagram(m.LocalSpi, m.Datagram),
        DeliverToIkeSa m => WithDatagram(m.LocalSpi, m.Datagram),
        CloseIkeSa m => WithReason(m.LocalSpi, m.Reason),
        DiscardIkeSa m => WithReason(m.LocalSpi, m.Reason),
        RedirectIkeSa m => WithBytes(m.LocalSpi, [(byte)m.Gateway.Type, .. m.Gateway.Value.Span]),
        RedirectReply m => WithBytes(m.SessionId, [(byte)m.Outcome]),
        WakeSession m => WithBytes(m.LocalSpi, []),
        ProbeSession m => WithBytes(m.LocalSpi, []),
        SessionProbed m => WithBytes(m.SessionId, [m.Running ? (byte)1 : (byte)0]),
        SessionWakeMessage m => WithBytes(m.SessionId, []),
        _ => throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var reader = new Reader(bytes);
        ulong spi = reader.U64(); // the session id for a redirect reply v2
        return manifest switch
        {
            OpenManifest => new OpenIkeSa(spi, reader.Datagram()),
            DeliverManifest => new DeliverToIkeSa(spi, reader.Datagram()),
            CloseManifest => new CloseIkeSa(spi, Encoding.UTF8.GetString(reader.Rest())),
            DiscardManifest => new DiscardIkeSa(spi, Encoding.UTF8.GetString(reader.Rest())),
            RedirectManifest => new RedirectIkeSa(spi, reader.GatewayIdentity()),
            RedirectReplyManifest => new RedirectReply(spi, (RedirectOutcome)reader.Rest()[0]),
            RedirectReplyV1Manifest => new RedirectReply(SpiShardMap.SessionOf(spi), (RedirectOutcome)reader.Rest()[0]),
            WakeManifest => new WakeSession(spi),
            AwakeManifest => new SessionAwake(spi),
            WakeAfterHandOffManifest => new WakeAfterHandOff(spi),
            ProbeManifest => new ProbeSession(spi),
            ProbedManifest => new SessionProbed(spi, reader.Rest()[0] != 0),
            _ => throw new System.Runtime.Serialization.SerializationException($"Unknown session command manifest '{manifest}'"),
        };
    }

    private static byte[] WithDatagram(ulong spi, IkeDatagram d)
    {
        var local = d.Local.Address.GetAddressBytes();
        var remote = d.Remote.Address.GetAddressBytes();
        var bytes = new byte[8 + 3 + local.Length + 3 + remote.Length + d.Message.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt64BigEndian(span, spi);
        int at = 8;
        at = WriteEndpoint(span, at, local, d.Local.Port);
        at = WriteEndpoint(span, at, remote, d.Remote.Port);
        d.Message.Span.CopyTo(span[at..]);
        return bytes;
    }

    private static int WriteEndpoint(Span<byte> span, int at, byte[] address, int port)
    {
        span[at] = (byte)address.Length;
        address.CopyTo(span[(at + 1)..]);
        at += 1 + address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)port);
        return at + 2;
    }

    private static byte[] WithReason(ulong spi, string reason) => WithBytes(spi, Encoding.UTF8.GetBytes(reason));

    private static byte[] WithBytes(ulong spi, byte[] text)
    {
        var bytes = new byte[8 + text.Length];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, spi);
        text.CopyTo(bytes, 8);
        return bytes;
    }

    private ref struct Reader(byte[] bytes)
    {
        private int _at;

        public ulong U64()
        {
            var value = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(_at));
            _at += 8;
            return value;
        }

        public IkeDatagram Datagram()
        {
            var local = Endpoint();
            var remote = Endpoint();
            return new IkeDatagram(Rest(), local, remote);
        }

        public byte[] Rest() => bytes.AsSpan(_at).ToArray();

        public GatewayIdentity GatewayIdentity()
        {
            var rest = Rest();
            return new GatewayIdentity((GatewayIdentityType)rest[0], rest.AsMemory(1));
        }

        private IPEndPoint Endpoint()
        {
            int length = bytes[_at];
            var address = new IPAddress(bytes.AsSpan(_at + 1, length));
            _at += 1 + length;
            int port = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(_at));
            _at += 2;
            return new IPEndPoint(address, port);
        }
    }
}
