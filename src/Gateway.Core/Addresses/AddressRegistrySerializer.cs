using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Gateway.Core.Persistence;

namespace Gateway.Core.Addresses;

/// <summary>
/// Binary form of the address registry's messages (between nodes, plain: they carry no keys) and of its persisted
/// events and snapshots (sealed with <see cref="StateCipher"/> like the session state, since they name identities).
/// Layout version 1, big-endian (<see cref="StateWriter"/>): session ids u64, identities UTF-8 with a u32 length,
/// addresses as length-prefixed bytes. Event kinds 3 (assigned), 4 (freed), 5 (book snapshot); the version travels
/// in the envelope, so a newer one is refused by name.
/// </summary>
public sealed class AddressRegistrySerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4302;

    private const string RequestManifest = "lease-request.v1";
    private const string GrantedManifest = "lease-granted.v1";
    private const string ReleasedManifest = "lease-released.v1";
    private const string RestoredManifest = "lease-restored.v1";
    private const string AssignedManifest = "addresses-assigned";
    private const string FreedManifest = "addresses-freed";
    private const string SnapshotManifest = "address-book";
    private const byte V1 = 1;
    private const byte AssignedKind = 3;
    private const byte FreedKind = 4;
    private const byte SnapshotKind = 5;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        LeaseRequest => RequestManifest,
        LeaseGranted => GrantedManifest,
        LeaseReleased => ReleasedManifest,
        LeaseRestored => RestoredManifest,
        AddressesAssigned => AssignedManifest,
        AddressesFreed => FreedManifest,
        AddressBookSnapshot => SnapshotManifest,
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new StateWriter();
        switch (obj)
        {
            case LeaseRequest r:
                w.U64(r.Session);
                w.Text(r.Identity);
                w.Bool(r.Ipv4);
                w.Bool(r.Ipv6);
                w.Bool(r.ReplaceOthers);
                return w.ToArray();
            case LeaseGranted g:
                w.U64(g.Session);
                w.List(g.Addresses, w.Address);
                w.List(g.Replaced, w.U64);
                return w.ToArray();
            case LeaseReleased r:
                w.U64(r.Session);
                return w.ToArray();
            case LeaseRestored r:
                w.U64(r.Session);
                w.Text(r.Identity);
                w.List(r.Addresses, w.Address);
                return w.ToArray();
            case AddressRegistryEvent e:
                return Encode(e, StateKeys.Get(system).Ring);
            default:
                throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new StateReader(bytes);
        return manifest switch
        {
            RequestManifest => new LeaseRequest(r.U64(), r.Text(), r.Bool(), r.Bool(), r.Bool()),
            GrantedManifest => new LeaseGranted(r.U64(), r.List(r.Address), r.List(r.U64)),
            ReleasedManifest => new LeaseReleased(r.U64()),
            RestoredManifest => new LeaseRestored(r.U64(), r.Text(), r.List(r.Address)),
            AssignedManifest or FreedManifest or SnapshotManifest => Decode(bytes, StateKeys.Get(system).Ring),
            _ => throw new SerializationException($"Unknown address registry manifest '{manifest}'"),
        };
    }

    public static byte[] Encode(AddressRegistryEvent e, StateKeyRing keys)
    {
        var w = new StateWriter();
        byte kind;
        switch (e)
        {
            case AddressesAssigned a:
                kind = AssignedKind;
                w.U64(a.Session);
                w.Text(a.Identity);
                w.List(a.Addresses, w.Address);
                break;
            case AddressesFreed f:
                kind = FreedKind;
                w.U64(f.Session);
                break;
            case AddressBookSnapshot s:
                kind = SnapshotKind;
                w.List(s.Records, record =>
                {
                    w.Address(record.Address);
                    w.Text(record.Owner);
                    w.Bool(record.Holder.HasValue);
                    w.U64(record.Holder ?? 0);
                });
                break;
            default:
                throw new ArgumentException($"Cannot serialize {e.GetType()}", nameof(e));
        }
        return StateCipher.Seal(V1, kind, w.ToArray(), keys.Current);
    }

    /// <summary>Decodes any version this node knows; <see cref="StateFormatException"/> names what is wrong.</summary>
    public static AddressRegistryEvent Decode(byte[] blob, StateKeyRing keys)
    {
        var (version, kind, body) = StateCipher.Open(blob, keys);
        if (version != V1)
            throw new StateFormatException($"address registry layout version {version} is not known to this gateway (it reads up to {V1}); upgrade the node");
        var r = new StateReader(body);
        return kind switch
        {
            AssignedKind => new AddressesAssigned(r.U64(), r.Text(), r.List(r.Address)),
            FreedKind => new AddressesFreed(r.U64()),
            SnapshotKind => new AddressBookSnapshot(r.List(() =>
            {
                var address = r.Address();
                var owner = r.Text();
                bool held = r.Bool();
                ulong holder = r.U64();
                return new AddressRecord(address, owner, held ? holder : null);
            })),
            _ => throw new StateFormatException($"unknown address registry kind {kind}"),
        };
    }
}
