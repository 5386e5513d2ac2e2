using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.Persistence;

/// <summary>
/// The body of an <see cref="IkeSaSnapshot"/>: every field in the order of the record, big-endian, byte strings and
/// lists with a u32 length. A new layout gets a new version and is read beside the older ones, so blobs already in a
/// journal keep decoding (the fixture tests pin v1, v2, v3). v2 appends each child's inbound sequence mark; v3 appends,
/// after the children, whether the peer supports RFC 6311's replay counter sync. Plaintext only
/// inside <see cref="StateCipher"/>.
/// </summary>
internal static class IkeSaSnapshotCodec
{
    public const byte V1 = 1;
    public const byte V2 = 2;
    public const byte V3 = 3;

    /// <summary>The layout <see cref="Write"/> produces.</summary>
    public const byte Current = V3;

    public static byte[] Write(IkeSaSnapshot s)
    {
        var w = new StateWriter();
        w.U64(s.InitiatorSpi);
        w.U64(s.ResponderSpi);
        w.Bool(s.LocalIsOriginalInitiator);
        WriteTransforms(w, s.IkeTransforms);
        w.U16((ushort)s.Keys.Prf);
        foreach (var key in new[] { s.Keys.SkD, s.Keys.SkAi, s.Keys.SkAr, s.Keys.SkEi, s.Keys.SkEr, s.Keys.SkPi, s.Keys.SkPr })
            w.Bytes(key);
        w.U32(s.ExpectedRequestId);
        w.Bool(s.LastAnsweredId.HasValue);
        w.U32(s.LastAnsweredId ?? 0);
        w.List(s.CachedResponse, m => w.Bytes(m));
        w.U32(s.NextOwnRequestId);
        w.Endpoint(s.Local);
        w.Endpoint(s.Remote);
        w.Bool(s.IkeUdpEncapsulated);
        w.Endpoint(s.TrafficLocal);
        w.Endpoint(s.TrafficRemote);
        w.Bool(s.TrafficUdpEncapsulated);
        w.Bool(s.PeerBehindNat);
        w.Bool(s.LocalBehindNat);
        w.Text(s.PeerIdentity);
        w.List(s.VirtualAddresses, w.Address);
        w.Bool(s.MobikeSupportedByPeer);
        w.Bool(s.FragmentationNegotiated);
        w.Bool(s.PeerSupportsRedirect);
        w.Bool(s.PeerSupportsMessageIdSync);
        w.Time(s.IkeRekeyDueUtc);
        w.List(s.Children, c => WriteChild(w, c));
        w.Bool(s.PeerSupportsReplayCounterSync);
        return w.ToArray();
    }

    public static IkeSaSnapshot Read(byte version, byte[] body)
    {
        if (version is not (V1 or V2 or V3))
            throw new StateFormatException($"IKE SA state layout version {version} is not known to this gateway (it reads up to {Current}); upgrade the node");
        var r = new StateReader(body);
        ulong spiI = r.U64(), spiR = r.U64();
        bool localIsOriginalInitiator = r.Bool();
        var transforms = ReadTransforms(r);
        var prf = (PseudorandomFunction)r.U16();
        var keys = new IkeSaKeyMaterial(prf, r.Bytes(), r.Bytes(), r.Bytes(), r.Bytes(), r.Bytes(), r.Bytes(), r.Bytes());
        uint expected = r.U32();
        bool hasLast = r.Bool();
        uint last = r.U32();
        var snapshot = new IkeSaSnapshot
        {
            InitiatorSpi = spiI,
            ResponderSpi = spiR,
            LocalIsOriginalInitiator = localIsOriginalInitiator,
            IkeTransforms = transforms,
            Keys = keys,
            ExpectedRequestId = expected,
            LastAnsweredId = hasLast ? last : null,
            CachedResponse = r.List(r.Bytes),
            NextOwnRequestId = r.U32(),
            Local = r.Endpoint(),
            Remote = r.Endpoint(),
            IkeUdpEncapsulated = r.Bool(),
            TrafficLocal = r.Endpoint(),
            TrafficRemote = r.Endpoint(),
            TrafficUdpEncapsulated = r.Bool(),
            PeerBehindNat = r.Bool(),
            LocalBehindNat = r.Bool(),
            PeerIdentity = r.Text(),
            VirtualAddresses = r.List(r.Address),
            MobikeSupportedByPeer = r.Bool(),
            FragmentationNegotiated = r.Bool(),
            PeerSupportsRedirect = r.Bool(),
            PeerSupportsMessageIdSync = r.Bool(),
            IkeRekeyDueUtc = r.Time(),
            Children = r.List(() => ReadChild(r, version)),
        };
        if (version >= V3)
            snapshot = snapshot with { PeerSupportsReplayCounterSync = r.Bool() };
        if (!r.AtEnd)
            throw new StateFormatException($"IKE SA state v{version} has trailing bytes");
        return snapshot;
    }

    private static void WriteChild(StateWriter w, ChildSaSnapshot c)
    {
        var sa = c.Sa;
        w.U32(sa.InboundSpi);
        w.U32(sa.OutboundSpi);
        w.U16((ushort)sa.Encryption);
        w.U16((ushort)sa.EncryptionKeyBits);
        w.U16((ushort)sa.Integrity);
        w.Bool(sa.ExtendedSequenceNumbers);
        w.Bytes(sa.InboundEncryptionKey);
        w.Bytes(sa.InboundIntegrityKey);
        w.Bytes(sa.OutboundEncryptionKey);
        w.Bytes(sa.OutboundIntegrityKey);
        w.Endpoint(sa.Local);
        w.Endpoint(sa.Remote);
        w.Bool(sa.UdpEncapsulated);
        w.List(sa.RemoteInnerAddresses, w.Address);
        w.Bool(c.Transforms is not null);
        if (c.Transforms is { } t)
            WriteTransforms(w, t);
        w.List(c.LocalTs, ts => WriteSelector(w, ts));
        w.List(c.RemoteTs, ts => WriteSelector(w, ts));
        w.U8((byte)c.State);
        w.Time(c.SoftDueUtc);
        w.Time(c.HardDueUtc);
        w.U64(c.OutboundSequenceMark);
        w.U64(c.InboundSequenceMark);
    }

    private static ChildSaSnapshot ReadChild(StateReader r, byte version)
    {
        var sa = new ChildSaInstallation(
            InboundSpi: r.U32(),
            OutboundSpi: r.U32(),
            Encryption: (EncryptionAlgorithm)r.U16(),
            EncryptionKeyBits: r.U16(),
            Integrity: (IntegrityAlgorithm)r.U16(),
            ExtendedSequenceNumbers: r.Bool(),
            InboundEncryptionKey: r.Bytes(),
            InboundIntegrityKey: r.Bytes(),
            OutboundEncryptionKey: r.Bytes(),
            OutboundIntegrityKey: r.Bytes(),
            Local: r.Endpoint(),
            Remote: r.Endpoint(),
            UdpEncapsulated: r.Bool(),
            RemoteInnerAddresses: r.List(r.Address));
        var transforms = r.Bool() ? ReadTransforms(r) : null;
        return new ChildSaSnapshot
        {
            Sa = sa,
            Transforms = transforms,
            LocalTs = r.List(() => ReadSelector(r)),
            RemoteTs = r.List(() => ReadSelector(r)),
            State = r.U8() switch
            {
                0 => ChildSaSnapshotState.Active,
                1 => ChildSaSnapshotState.Replaced,
                2 => ChildSaSnapshotState.Deleting,
                var s => throw new StateFormatException($"unknown child SA state {s}"),
            },
            SoftDueUtc = r.Time(),
            HardDueUtc = r.Time(),
            OutboundSequenceMark = r.U64(),
            InboundSequenceMark = version >= V2 ? r.U64() : 0,
        };
    }

    private static void WriteTransforms(StateWriter w, IReadOnlyList<Transform> transforms) =>
        w.List(transforms, t =>
        {
            w.U8((byte)t.Type);
            w.U16(t.Id);
            w.U16(t.KeyLength ?? 0); // the only transform attribute IKEv2 defines
        });

    private static IReadOnlyList<Transform> ReadTransforms(StateReader r) =>
        r.List(() =>
        {
            var type = (TransformType)r.U8();
            ushort id = r.U16();
            ushort keyLength = r.U16();
            return Transform.Create(type, id, keyLength == 0 ? null : keyLength);
        });

    private static void WriteSelector(StateWriter w, TrafficSelector ts)
    {
        w.U8((byte)ts.SelectorType);
        w.U8(ts.IpProtocol);
        w.U16(ts.StartPort);
        w.U16(ts.EndPort);
        w.Bytes(ts.StartAddress.Span);
        w.Bytes(ts.EndAddress.Span);
    }

    private static TrafficSelector ReadSelector(StateReader r) =>
        new((TrafficSelectorType)r.U8(), r.U8(), r.U16(), r.U16(), r.Bytes(), r.Bytes());
}
