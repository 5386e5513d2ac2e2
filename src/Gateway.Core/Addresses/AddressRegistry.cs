using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Core.Policy;

namespace Gateway.Core.Addresses;

/// <summary>
/// The cluster's one owner of virtual addresses (issue 5 §6): a cluster singleton over an <see cref="AddressBook"/>,
/// persisted in the same journal as the sessions (when persistence is on), so addresses are unique across nodes and
/// sticky per identity through node restarts and failovers. Each decision is applied at once and answered once it is
/// persisted (writes pipelined); a snapshot of the book every <see cref="SnapshotEvery"/> events bounds recovery. One actor serializes all decisions —
/// one message per established SA and one per ended SA, cheap next to the IKE handshake that precedes it. With
/// persistence it also frees the leases of sessions that are gone but whose release never arrived
/// (AddressRegistry.Reconciliation.cs).
/// </summary>
public sealed partial class AddressRegistry : ReceivePersistentActor, IWithTimers
{
    /// <summary>Handover message of the singleton: handled after the writes in flight (unlike PoisonPill).</summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    public const string PersistenceIdValue = "gateway-address-registry";
    private const int SnapshotEvery = 500;

    private readonly AddressBook _book;
    private readonly bool _persistent;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public AddressRegistry(AddressPools pools, bool persistent, LeaseReconciliation? reconciliation = null)
    {
        _book = new AddressBook(pools);
        _persistent = persistent;
        _reconciliation = persistent ? reconciliation : null; // the live sessions are known only from the journal
        _reconciler = _reconciliation is { } r ? new LeaseReconciler(r.Options) : null;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is AddressBookSnapshot snapshot)
                _book.Restore(snapshot.Records);
        });
        Recover<AddressesAssigned>(Apply);
        Recover<AddressesFreed>(Apply);
        Command<LeaseRequest>(OnLease);
        Command<LeaseReleased>(r =>
        {
            if (_book.HeldBy(r.Session).Count > 0)
                Record(new AddressesFreed(r.Session), Apply);
        });
        Command<LeaseRestored>(OnRestored);
        Command<Reconcile>(OnReconcile);
        Command<LiveSessionsRead>(OnLiveSessionsRead);
        Command<LiveSessionsReadFailed>(OnLiveSessionsReadFailed);
        Command<ProbeOutcome>(OnProbeOutcome);
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Address registry: snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Address registry: deleting old events failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Address registry: deleting old snapshots failed: {0}", f.Cause.Message));
        // After the writes in flight (DeferAsync runs behind pending PersistAsync handlers), so their askers get answers.
        Command<Stop>(stop => DeferAsync(stop, _ => Context.Stop(Self)));
    }

    public override string PersistenceId => PersistenceIdValue;

    /// <summary>Without persistence there is nothing to recover (and no journal should be touched).</summary>
    public override Recovery Recovery => _persistent ? base.Recovery : Recovery.None;

    public static Props Props(AddressPools pools, bool persistent, LeaseReconciliation? reconciliation = null) =>
        Akka.Actor.Props.Create(() => new AddressRegistry(pools, persistent, reconciliation));

    private void OnLease(LeaseRequest request)
    {
        var choice = _book.Choose(request.Session, request.Identity, request.Ipv4, request.Ipv6, request.ReplaceOthers);
        var granted = new LeaseGranted(request.Session, choice.Addresses, choice.Replaced);
        var held = _book.HeldBy(request.Session);
        if (choice.Addresses.Count == 0 || (choice.Addresses.All(held.Contains) && choice.Replaced.Count == 0))
        {
            if (choice.Addresses.Count == 0)
                _log.Warning("Address registry: no address left for {0} (session {1:x12})", request.Identity, request.Session);
            Sender.Tell(granted); // exhausted, or a retry of what the session holds: nothing to write
            return;
        }
        var sender = Sender;
        Record(new AddressesAssigned(request.Session, request.Identity, choice.Addresses), Apply, () => sender.Tell(granted));
    }

    private void OnRestored(LeaseRestored restored)
    {
        var held = _book.HeldBy(restored.Session);
        var unrecorded = new List<System.Net.IPAddress>();
        foreach (var address in restored.Addresses)
        {
            if (held.Contains(address))
                continue;
            if (_book.HolderOf(address) is { } other)
                _log.Warning("Address registry: restored session {0:x12} uses {1}, which session {2:x12} holds", restored.Session, address, other);
            else
                unrecorded.Add(address);
        }
        if (unrecorded.Count > 0)
            Record(new AddressesAssigned(restored.Session, restored.Identity, unrecorded), Apply);
    }

    /// <summary>
    /// Applies the decision at once — the next request already sees it, so no address is given twice — and answers only
    /// once it is stored. Writes are pipelined (PersistAsync): one slow write does not hold up the next lease. A write
    /// that fails stops the registry (Akka's default), and the singleton restarts from the journal: the asker, never
    /// answered, times out and reports INTERNAL_ADDRESS_FAILURE.
    /// </summary>
    private void Record<T>(T e, Action<T> apply, Action? stored = null) where T : AddressRegistryEvent
    {
        apply(e);
        if (!_persistent)
        {
            stored?.Invoke();
            return;
        }
        PersistAsync(e, _ =>
        {
            stored?.Invoke();
            if (LastSequenceNr % SnapshotEvery == 0)
                SaveSnapshot(new AddressBookSnapshot(_book.Records()));
        });
    }

    private void Apply(AddressesAssigned e) => _book.Assign(e.Session, e.Identity, e.Addresses);

    private void Apply(AddressesFreed e) => _book.Release(e.Session);
}
