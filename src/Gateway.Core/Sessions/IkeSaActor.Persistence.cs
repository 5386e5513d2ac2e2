using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

// Persistence of an established IKE SA (issue 5). After every step the machine's snapshot (null while half-open: never
// persisted) is compared with the last one saved and sent to the session's journal when it changed: established,
// rekeyed, moved, child added or removed, message IDs advanced, or an outbound ESP sequence mark moved on. The marks
// are kept here, where the data plane's counters are read: a mark is always ahead of the sequence numbers in use.
// What a step sends after a save is held until the journal confirms it: a client told "established" (or given a
// rekey's new keys) by a node that dies before its write commits would hold a tunnel no survivor knows of — with DPD
// off, as strongSwan clients default, a black hole until its lifetime ends. Held, the answer is lost with the node and
// the client retries or starts again. Costs a commit's latency on the exchanges that change the state.
public sealed partial class IkeSaActor
{
    private IActorRef? _journal;

    /// <summary>Saves sent to the journal and not yet confirmed; datagrams wait while any is.</summary>
    private int _savesInFlight;

    /// <summary>Datagrams waiting for <see cref="_savesInFlight"/> to reach 0, in order (null: none, the usual case).</summary>
    private List<IkeDatagram>? _heldUntilSaved;
    private readonly IkeSaSnapshot? _restored;

    /// <summary>
    /// ESP sequence marks per child SA as last handed to the journal (outbound ahead of use; inbound as received, for
    /// the replay window after a failover); null without persistence.
    /// </summary>
    private readonly SequenceMarks? _sequenceMarks;

    /// <summary>A digest of the last state saved (not the state: it holds keys), to skip writes that change nothing.</summary>
    private byte[]? _savedDigest;

    public static Props PropsRestored(IkeSaSnapshot snapshot, SessionDependencies deps, IActorRef journal) =>
        Akka.Actor.Props.Create(() => new IkeSaActor(snapshot.LocalSpi, deps, journal, snapshot)).WithMailboxOf(deps);

    /// <summary>A restored SA resumes at once (children re-installed, timers running): true when this is one.</summary>
    private bool ResumeRestored()
    {
        if (_restored is null)
            return false;
        _log.Info("IKE SA {0:x16} of {1} restored from the journal ({2} child SAs)", _spi, _restored.PeerIdentity, _restored.Children.Count);
        _leaseAsked = _restored.VirtualAddresses.Count > 0; // the registry kept its lease through the move
        if (_leaseAsked) // ... or learns it now (a journal older than the registry); nothing is written when it knew
            _deps.AddressRegistry.Tell(new Addresses.LeaseRestored(Session, _restored.PeerIdentity, _restored.VirtualAddresses));
        Step(new SaResumed(Now));
        return true;
    }

    /// <summary>
    /// A child SA is installed: its first outbound sequence number is <see cref="ChildSaInstallation.OutboundSequenceStart"/>
    /// + 1, so the mark to persist is one margin beyond (it goes out with this step's save, before much is sent).
    /// </summary>
    private void ReserveSequenceMark(ChildSaInstallation sa) => _sequenceMarks?.Reserve(sa, Now);

    /// <summary>Moves the marks on from the data plane's counters (see <see cref="SequenceMarks"/>).</summary>
    private void AdvanceSequenceMarks()
    {
        if (_sequenceMarks is null)
            return;
        bool moved = false;
        foreach (uint spi in _childSpis)
        {
            if (_deps.DataPlane.ReadCounters(spi) is { } counters)
                moved |= _sequenceMarks.Advance(spi, counters, Now);
        }
        // Only a moved mark needs a save here: exporting, encoding and hashing the state on every poll of every idle
        // tunnel was most of an idle gateway's CPU.
        if (moved)
            PersistIfChanged();
    }

    private void PersistIfChanged()
    {
        if (_journal is null || _sequenceMarks is null || _machine.TryExportSnapshot() is not { } snapshot)
            return;
        snapshot = snapshot with { Children = snapshot.Children.Select(_sequenceMarks.Apply).ToArray() };
        var plain = IkeSaSnapshotCodec.Write(snapshot);
        var digest = SHA256.HashData(plain);
        CryptographicOperations.ZeroMemory(plain);
        if (_savedDigest is not null && digest.AsSpan().SequenceEqual(_savedDigest))
            return;
        _savedDigest = digest;
        _savesInFlight++;
        _journal.Tell(new SessionJournal.Save(snapshot));
    }

    /// <summary>True when the datagram was queued behind an unconfirmed save (sent by <see cref="OnSaved"/>).</summary>
    private bool HoldUntilSaved(IkeDatagram datagram)
    {
        if (_savesInFlight == 0)
            return false;
        (_heldUntilSaved ??= []).Add(datagram);
        return true;
    }

    private void OnSaved()
    {
        if (_savesInFlight > 0 && --_savesInFlight == 0)
            SendHeld();
    }

    /// <summary>The journal stopped (a write failed; the session logs it): run on unpersisted, release what waited.</summary>
    private void OnJournalStopped(IActorRef actor)
    {
        if (!actor.Equals(_journal))
            return;
        _journal = null;
        _savesInFlight = 0;
        SendHeld();
    }

    private void SendHeld()
    {
        if (_heldUntilSaved is not { } held)
            return;
        _heldUntilSaved = null;
        foreach (var datagram in held)
            Send(datagram);
    }
}
