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
public sealed partial class IkeSaActor
{
    /// <summary>Where states go to be saved (the session, SessionActor.Journal.cs); null without persistence.</summary>
    private IActorRef? _journal;

    /// <summary>
    /// ESP sequence marks per child SA as last handed to the journal (outbound ahead of use; inbound as received, for
    /// the replay window after a failover); null without persistence.
    /// </summary>
    private SequenceMarks? _sequenceMarks;

    /// <summary>A digest of the last state saved (not the state: it holds keys), to skip writes that change nothing.</summary>
    private byte[]? _savedDigest;

    /// <summary>
    /// Datagrams waiting for the journal to store the state they announce (<see cref="HoldUntilStored"/>), in order;
    /// null until the first is held (every IKE SA has one actor for life: an empty list each was memory per idle tunnel).
    /// </summary>
    private List<IkeDatagram>? _heldUntilStored;

    private long _lastTicket;
    private long _awaitedTicket; // 0: nothing held

    /// <summary>
    /// A failover keeps a tunnel only if the journal has it: a client told "established" (or given a new child SA) by a
    /// node that dies before that state is stored sends into SAs no survivor knows, and keeps doing so until its liveness
    /// check gives up and it authenticates again. So the answer of a step that established the IKE SA or installed a
    /// child SA leaves only once the journal confirms the write, and whatever is sent after it queues behind it (order
    /// kept, a retransmitted answer included). Every other change (message IDs after a liveness exchange, a move) is
    /// answered at once: losing it in a crash costs no tunnel (the cached response and RFC 6311 sync cover message IDs,
    /// the peer's next packet the path, docs/persistence.md), and waiting would put a disk write into every exchange.
    /// Returns the ticket to save with, or 0.
    /// </summary>
    private long HoldUntilStored(IkeSaStep step)
    {
        if (_journal is null || step.Terminated || !step.Events.Any(e => e is IkeSaEstablished or ChildSaEstablished or ChildSaRekeyed))
            return 0;
        _awaitedTicket = ++_lastTicket;
        return _awaitedTicket;
    }

    private void SendWhenStored(IkeDatagram datagram)
    {
        if (_awaitedTicket == 0)
            Send(datagram);
        else
            (_heldUntilStored ??= new List<IkeDatagram>(1)).Add(datagram);
    }

    /// <summary>The journal stored the awaited state (or an older one: keep waiting), or it failed (Stored(max): the session runs unpersisted).</summary>
    private void ReleaseHeld(long storedTicket)
    {
        if (_awaitedTicket == 0 || storedTicket < _awaitedTicket)
            return;
        _awaitedTicket = 0;
        var held = _heldUntilStored;
        _heldUntilStored = null;
        if (held is null)
            return;
        foreach (var datagram in held)
            Send(datagram);
    }

    /// <summary>A restored SA resumes at once (children re-installed, timers running).</summary>
    private void Resume(IkeSaSnapshot restored)
    {
        _log.Info("IKE SA {0:x16} of {1} restored from the journal ({2} child SAs)", _spi, restored.PeerIdentity, restored.Children.Count);
        _leaseAsked = restored.VirtualAddresses.Count > 0; // the registry kept its lease through the move
        if (_leaseAsked) // ... or learns it now (a journal older than the registry); nothing is written when it knew
            _deps.AddressRegistry.Tell(new Addresses.LeaseRestored(Session, restored.PeerIdentity, restored.VirtualAddresses));
        Step(new SaResumed(Now));
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

    private void PersistIfChanged(long ticket = 0)
    {
        if (_journal is null || _sequenceMarks is null || _machine.TryExportSnapshot() is not { } snapshot)
        {
            ReleaseHeld(ticket);
            return;
        }
        snapshot = snapshot with { Children = snapshot.Children.Select(_sequenceMarks.Apply).ToArray() };
        var plain = IkeSaSnapshotCodec.Write(snapshot);
        var digest = SHA256.HashData(plain);
        CryptographicOperations.ZeroMemory(plain);
        if (_savedDigest is not null && digest.AsSpan().SequenceEqual(_savedDigest))
        {
            // Saved already — but that save may still be on its way to the database: the journal answers this ticket
            // once every save before it is stored, and only then does the held answer leave.
            if (ticket != 0)
                _journal.Tell(new SessionJournal.Confirm(ticket));
            return;
        }
        _savedDigest = digest;
        _journal.Tell(new SessionJournal.Save(snapshot, ticket));
    }
}
