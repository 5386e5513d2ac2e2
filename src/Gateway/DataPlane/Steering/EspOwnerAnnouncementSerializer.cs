using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// Binary form of <see cref="EspOwnerAnnouncement"/> between nodes, layout v1:
/// <c>node:u16-length UTF-8 | forward address:u16-length UTF-8 | port:u16 | flags:u8 (1 = reply wanted) | count:u32 |
/// SPIs:u32…</c> (big-endian).
/// Bound in the node's Akka configuration (<see cref="Config"/>, added by ClusterBootstrap).
/// </summary>
public sealed class EspOwnerAnnouncementSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4500; // the port whose ESP this is about; Akka reserves 0–100
    private const string ManifestV1 = "esp-owners.v1";

    public override int Identifier => SerializerId;

    /// <summary>The binding; a serializer added at run time is not found by id when a message arrives.</summary>
    public const string Config = """
        akka.actor {
          serializers.gateway-esp-owners = "Gateway.DataPlane.Steering.EspOwnerAnnouncementSerializer, Gateway"
          serialization-bindings { "Gateway.DataPlane.Steering.EspOwnerAnnouncement, Gateway" = gateway-esp-owners }
        }
        """;

    public override string Manifest(object o) => o is EspOwnerAnnouncement
        ? ManifestV1
        : throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o));

    public override byte[] ToBinary(object obj)
    {
        if (obj is not EspOwnerAnnouncement a)
            throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        byte[] node = Encoding.UTF8.GetBytes(a.Node), address = Encoding.UTF8.GetBytes(a.ForwardAddress);
        var bytes = new byte[2 + node.Length + 2 + address.Length + 2 + 1 + 4 + 4 * a.Spis.Length];
        int at = WriteString(bytes, 0, node);
        at = WriteString(bytes, at, address);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)a.ForwardPort);
        bytes[at + 2] = a.ReplyWanted ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 3), (uint)a.Spis.Length);
        at += 7;
        foreach (uint spi in a.Spis)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), spi);
            at += 4;
        }
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ManifestV1)
            throw new SerializationException($"unknown ESP ownership manifest '{manifest}'");
        ReadOnlySpan<byte> span = bytes;
        string node = ReadString(ref span), address = ReadString(ref span);
        if (span.Length < 7)
            throw new SerializationException("truncated ESP ownership announcement");
        int port = BinaryPrimitives.ReadUInt16BigEndian(span);
        bool replyWanted = (span[2] & 1) != 0;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(span[3..]);
        span = span[7..];
        if ((ulong)span.Length != 4UL * count)
            throw new SerializationException("ESP ownership announcement: SPI count does not match its length");
        var spis = new uint[count];
        for (int i = 0; i < spis.Length; i++)
            spis[i] = BinaryPrimitives.ReadUInt32BigEndian(span[(4 * i)..]);
        return new EspOwnerAnnouncement(node, address, port, replyWanted, spis);
    }

    private static int WriteString(byte[] bytes, int at, byte[] text)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)text.Length);
        text.CopyTo(bytes, at + 2);
        return at + 2 + text.Length;
    }

    private static string ReadString(ref ReadOnlySpan<byte> span)
    {
        if (span.Length < 2 || span.Length < 2 + BinaryPrimitives.ReadUInt16BigEndian(span))
            throw new SerializationException("truncated ESP ownership announcement");
        int length = BinaryPrimitives.ReadUInt16BigEndian(span);
        string text = Encoding.UTF8.GetString(span.Slice(2, length));
        span = span[(2 + length)..];
        return text;
    }
}
