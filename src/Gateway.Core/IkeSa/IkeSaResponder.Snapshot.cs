using Gateway.Core.Collections;
using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.Policy;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Feed once to a machine made by <see cref="IkeSaResponder.Restore"/>: it reports the SA as established again
/// (<see cref="IkeSaEstablished"/>, a <see cref="ChildSaEstablished"/> per child with its outbound sequence mark),
/// re-arms liveness and the lifetimes from their absolute deadlines, and resends what a failover lost (our Delete of
/// a child our rekey replaced, a return-routability check).
/// </summary>
public sealed record SaResumed(DateTime NowUtc) : IkeSaInput(NowUtc);

// Export and restore of an established IKE SA (issue 5: persisted SAs survive node failure). The machine stays pure:
// it hands out a snapshot and is rebuilt from one; persisting, encrypting and choosing when is the actor's business.
public sealed partial class IkeSaResponder
{
    /// <summary>Absolute due times of the timers we asked for, so lifetimes keep their deadlines across a move.</summary>
    private readonly SmallMap<string, DateTime> _timerDue = new();

    /// <summary>Outbound and inbound sequence marks of a restored SA's children, for <see cref="SaResumed"/> and later exports.</summary>
    private readonly SmallMap<uint, (ulong Outbound, ulong Inbound)> _restoredMarks = new();

    private bool _awaitingResume;

    /// <summary>
    /// The state of the SA if it is established (half-open SAs are never persisted: null). Outbound sequence marks are
    /// those this machine was restored with; the actor, which reads the data plane, overlays fresh ones.
    /// </summary>
    public IkeSaSnapshot? TryExportSnapshot()
    {
        if (Phase != IkeSaPhase.Established || _crypto is null || Local is null || Remote is null || PeerIdentity is null)
            return null;
        var ike = _ikePath ?? PeerPath.Of(Local, Remote, Nat);
        var traffic = _trafficPath ?? ike;
        var keys = _crypto.Keys;
        return new IkeSaSnapshot
        {
            InitiatorSpi = InitiatorSpi,
            ResponderSpi = ResponderSpi,
            LocalIsOriginalInitiator = LocalIsOriginalInitiator,
            IkeTransforms = (_crypto.Selected ?? ImplementedTransforms.Only(_policy.IkeProposals[0])).Transforms.ToArray(),
            Keys = new IkeSaKeyMaterial(_crypto.Prf, Copy(keys.SkD), Copy(keys.SkAi), Copy(keys.SkAr), Copy(keys.SkEi),
                Copy(keys.SkEr), Copy(keys.SkPi), Copy(keys.SkPr)),
            ExpectedRequestId = _expectedRequestId,
            LastAnsweredId = _lastAnsweredId,
            CachedResponse = _cachedResponse?.Select(Copy).ToArray() ?? [],
            NextOwnRequestId = _requests.NextMessageId,
            Local = Local,
            Remote = Remote,
            IkeUdpEncapsulated = ike.UdpEncapsulated,
            TrafficLocal = traffic.Local,
            TrafficRemote = traffic.Remote,
            TrafficUdpEncapsulated = traffic.UdpEncapsulated,
            PeerBehindNat = Nat.PeerBehindNat,
            LocalBehindNat = Nat.LocalBehindNat,
            PeerIdentity = PeerIdentity,
            VirtualAddresses = VirtualAddresses.ToArray(),
            MobikeSupportedByPeer = _mobike.PeerSupports,
            FragmentationNegotiated = _inbound.FragmentationNegotiated,
            PeerSupportsRedirect = _peerSupportsRedirect,
            PeerSupportsMessageIdSync = PeerSupportsMessageIdSync,
            PeerSupportsReplayCounterSync = PeerSupportsReplayCounterSync,
            IkeRekeyDueUtc = _timerDue.TryGetValue(RekeyTimers.IkeRekey, out var ikeDue) ? ikeDue : null,
            Children = _children.All.Select(ExportChild).ToArray(),
        };
    }

    /// <summary>
    /// A machine for an established IKE SA from its snapshot, as it was when exported. Feed it <see cref="SaResumed"/>
    /// first: that re-installs the child SAs and re-arms the timers. The snapshot's arrays are copied (the machine
    /// zeroes its keys when it ends).
    /// </summary>
    public static IkeSaResponder Restore(IkeSaSnapshot snapshot, GatewayPolicy policy, IResponderServices services, ResponderOptions? options = null)
    {
        var sa = new IkeSaResponder(snapshot.ResponderSpi, policy, services, options);
        sa.Load(snapshot);
        return sa;
    }

    private ChildSaSnapshot ExportChild(ChildSaInstallation sa)
    {
        var life = _lives.GetValueOrDefault(sa.InboundSpi);
        return new ChildSaSnapshot
        {
            Sa = sa,
            Transforms = life?.Selected.Transforms.ToArray(),
            LocalTs = life?.LocalTs ?? [],
            RemoteTs = life?.RemoteTs ?? [],
            State = life?.State switch
            {
                ChildSaLifeState.Replaced => ChildSaSnapshotState.Replaced,
                ChildSaLifeState.Deleting => ChildSaSnapshotState.Deleting,
                _ => ChildSaSnapshotState.Active,
            },
            SoftDueUtc = _timerDue.TryGetValue(RekeyTimers.ChildSoft(sa.InboundSpi), out var soft) ? soft : null,
            HardDueUtc = _timerDue.TryGetValue(RekeyTimers.ChildHard(sa.InboundSpi), out var hard) ? hard : null,
            OutboundSequenceMark = _restoredMarks.GetValueOrDefault(sa.InboundSpi).Outbound,
            InboundSequenceMark = _restoredMarks.GetValueOrDefault(sa.InboundSpi).Inbound,
        };
    }

    private void Load(IkeSaSnapshot s)
    {
        InitiatorSpi = s.InitiatorSpi;
        ResponderSpi = s.ResponderSpi;
        LocalIsOriginalInitiator = s.LocalIsOriginalInitiator;
        _crypto = RebuildCrypto(s);
        _expectedRequestId = s.ExpectedRequestId;
        _lastAnsweredId = s.LastAnsweredId;
        _cachedResponse = s.CachedResponse.Count > 0 ? s.CachedResponse.Select(Copy).ToArray() : null;
        _requests.ResumeAt(s.NextOwnRequestId);
        Nat = new NatState(s.PeerBehindNat, s.LocalBehindNat);
        Local = s.Local;
        Remote = s.Remote;
        _ikePath = new PeerPath(s.Local, s.Remote, s.IkeUdpEncapsulated);
        _trafficPath = new PeerPath(s.TrafficLocal, s.TrafficRemote, s.TrafficUdpEncapsulated);
        PeerIdentity = s.PeerIdentity;
        VirtualAddresses = s.VirtualAddresses.ToArray();
        if (VirtualAddresses.Count > 0)
            _services.ReclaimAddresses(s.PeerIdentity, VirtualAddresses); // released again when this SA closes
        _mobike.RestorePeerSupport(s.MobikeSupportedByPeer);
        _inbound.FragmentationNegotiated = s.FragmentationNegotiated;
        _peerSupportsRedirect = s.PeerSupportsRedirect;
        PeerSupportsMessageIdSync = s.PeerSupportsMessageIdSync;
        PeerSupportsReplayCounterSync = s.PeerSupportsReplayCounterSync;
        if (s.IkeRekeyDueUtc is { } ikeDue)
            _timerDue[RekeyTimers.IkeRekey] = ikeDue;
        foreach (var child in s.Children)
            LoadChild(child);
        Phase = IkeSaPhase.Established;
        _awaitingResume = true;
    }

    private void LoadChild(ChildSaSnapshot child)
    {
        var sa = child.Sa;
        _children.Add(sa);
        _services.ReclaimEspSpi(sa.InboundSpi);
        _restoredMarks[sa.InboundSpi] = (child.OutboundSequenceMark, child.InboundSequenceMark);
        if (child.Transforms is { } transforms)
        {
            _lives[sa.InboundSpi] = new ChildSaLife(sa.InboundSpi, new Proposal(1, ProtocolId.Esp, ReadOnlyMemory<byte>.Empty, transforms),
                child.LocalTs, child.RemoteTs)
            {
                State = child.State switch
                {
                    ChildSaSnapshotState.Replaced => ChildSaLifeState.Replaced,
                    ChildSaSnapshotState.Deleting => ChildSaLifeState.Deleting,
                    _ => ChildSaLifeState.Active,
                },
            };
        }
        if (child.SoftDueUtc is { } soft && child.State == ChildSaSnapshotState.Active)
            _timerDue[RekeyTimers.ChildSoft(sa.InboundSpi)] = soft;
        if (child.HardDueUtc is { } hard)
            _timerDue[RekeyTimers.ChildHard(sa.InboundSpi)] = hard;
    }

    private static IkeSaCrypto RebuildCrypto(IkeSaSnapshot s)
    {
        var proposal = new Proposal(1, ProtocolId.Ike, ReadOnlyMemory<byte>.Empty, s.IkeTransforms);
        var encryption = proposal.OfType(TransformType.Encryption).First();
        var encryptionAlgorithm = (EncryptionAlgorithm)encryption.Id;
        int keyBits = encryption.KeyLength ?? 0;
        var integrity = (IntegrityAlgorithm)(proposal.OfType(TransformType.Integrity).Select(t => t.Id).FirstOrDefault());
        var k = s.Keys;
        var keys = StoredIkeSaKeys.Restore(Copy(k.SkD), Copy(k.SkAi), Copy(k.SkAr), Copy(k.SkEi), Copy(k.SkEr), Copy(k.SkPi), Copy(k.SkPr));
        var fromInitiator = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEi, keys.SkAi);
        var fromResponder = SkProtectionFactory.CreateOnDemand(encryptionAlgorithm, keyBits, integrity, keys.SkEr, keys.SkAr);
        // As after an IKE SA rekey: original initiator decides which keys protect what we send.
        var (inbound, outbound) = s.LocalIsOriginalInitiator ? (fromResponder, fromInitiator) : (fromInitiator, fromResponder);
        return new IkeSaCrypto(k.Prf, keys, inbound, outbound, [], [], [], []) { Selected = proposal };
    }

    private void OnResumed(SaResumed resumed, StepBuilder step)
    {
        if (!_awaitingResume)
            return;
        _awaitingResume = false;
        step.Emit(new IkeSaEstablished(PeerIdentity!, VirtualAddresses, Remote!) { PeerSupportsRedirect = _peerSupportsRedirect });
        foreach (var sa in _children.All)
        {
            var marks = _restoredMarks.GetValueOrDefault(sa.InboundSpi);
            step.Emit(new ChildSaEstablished(sa with { OutboundSequenceStart = marks.Outbound, InboundSequenceStart = marks.Inbound }));
        }
        foreach (var (key, due) in _timerDue.ToArray())
        {
            var left = due - resumed.NowUtc;
            step.Timer(key, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        _liveness.Start(resumed.NowUtc, step);
        OnResumedMessageIdSync(step);
        // Our Delete of a child our rekey replaced may have been lost with the old node: ask again.
        var deleting = _lives.Values.Where(l => l.State == ChildSaLifeState.Deleting).Select(l => l.InboundSpi).ToArray();
        if (deleting.Length > 0)
            Enqueue(new DeleteChildRequest(deleting), step);
        // A MOBIKE move that waited for its return-routability answer: check again.
        if (_ikePath is { } ike && _trafficPath is { } traffic && ike != traffic && _options.ReturnRoutabilityCheck)
        {
            var check = MobikeResponder.ReturnRoutabilityCheck(_services);
            _pendingTrafficMove = (check.Cookie2, ike);
            Enqueue(check, step);
        }
    }

    /// <summary>Remembers when each timer the step asked for falls due (cancelled ones are forgotten).</summary>
    private void RecordTimerDeadlines(DateTime nowUtc, IkeSaStep step)
    {
        foreach (var timer in step.Timers)
        {
            if (timer.After is { } after)
                _timerDue[timer.Key] = nowUtc + after;
            else
                _timerDue.Remove(timer.Key);
        }
        // Only lifetimes are worth keeping across a move; the rest (retransmissions, liveness) restart anyway.
        foreach (var key in _timerDue.Keys.Where(k => !IsLifetimeTimer(k)).ToArray())
            _timerDue.Remove(key);
    }

    private static bool IsLifetimeTimer(string key) =>
        key == RekeyTimers.IkeRekey || RekeyTimers.TryParseChild(key, out _, out _);

    private static byte[] Copy(byte[] bytes) => bytes.ToArray();
}
