using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Metrics;
using Gateway.Core.Routing;
using Gateway.Core.Transport;

namespace Gateway.Core.Sessions;

/// <summary>
/// A thin shell around one IKE SA's pure machine: feeds it inputs (messages, timers, and the data plane's counters as
/// <see cref="ChildSaTraffic"/> and <see cref="PeerActivity"/>), sends what it produces, runs its timers on Akka's
/// scheduler, and turns its child SA events into <see cref="ChildSaActor"/> children (started on establishment and
/// rekey, moved on MOBIKE, stopped on delete). Mobility, liveness and rekey events are logged (never keys) and counted.
/// All protocol decisions are the machine's. An exception from the machine escapes on purpose: the session's supervisor stops this actor (and so
/// removes its child SAs) rather than continue with a machine in an unknown state.
/// </summary>
public sealed partial class IkeSaActor : UntypedActor
{
    /// <summary>An IKE message for the machine.</summary>
    public sealed record Inbound(IkeDatagram Datagram);

    /// <summary>Ask the machine to close the SA (it tells the peer and reports Terminated).</summary>
    public sealed record Close(string Reason);

    /// <summary>Delete the SA without telling the peer (a newer SA of its identity came with INITIAL_CONTACT).</summary>
    public sealed record Discard(string Reason);

    /// <summary>Told to the session just before this actor stops, so it stops routing to it at once.</summary>
    public sealed record Ended
    {
        public static readonly Ended Instance = new();
    }

    /// <summary>
    /// The first message, from the session right after it made this actor: which SA this is. Sent rather than given
    /// to the constructor so that all IKE SA actors of a node share one Props (Props with arguments stay in each
    /// actor's cell for life: about 190 bytes of every tunnel). <see cref="Spawn"/> does both.
    /// </summary>
    /// <param name="Journal">Where states go to be saved (the session); null without persistence.</param>
    /// <param name="Restored">The state to resume (after a failover or hand-off); null for a new SA.</param>
    public sealed record Start(ulong ResponderSpi, IActorRef? Journal, IkeSaSnapshot? Restored);

    private static readonly ConditionalWeakTable<SessionDependencies, Props> PropsByNode = new();

    private readonly SessionDependencies _deps;

    // Set by Start, the first message (nothing else reaches the actor before it).
    private ulong _spi;
    private IIkeSaMachine _machine = null!;

    private readonly ILoggingAdapter _log = SharedLoggers.For<IkeSaActor>(Context);
    /// <summary>Inbound SPIs of the child SA actors (one or two: a list is a third of a set's size per tunnel; StartChild keeps them unique).</summary>
    private readonly List<uint> _childSpis = new(1);
    private bool _established;
    private bool _ending;
    private string? _identity;
    private IActorRef _redirectReplyTo = ActorRefs.Nobody;

    public IkeSaActor(SessionDependencies deps)
    {
        _deps = deps;
    }

    /// <summary>Makes an IKE SA actor under <paramref name="parent"/> (the session; a test's system) and starts it.</summary>
    public static IActorRef Spawn(IActorRefFactory parent, SessionDependencies deps, Start start, string? name = null)
    {
        var actor = parent.ActorOf(PropsByNode.GetValue(deps, d => Akka.Actor.Props.Create(() => new IkeSaActor(d)).WithMailboxOf(d)), name);
        actor.Tell(start);
        return actor;
    }

    private void OnStart(Start start)
    {
        _spi = start.ResponderSpi;
        _journal = start.Journal;
        _sequenceMarks = start.Journal is null ? null : SessionPersistence.NewSequenceMarks(_deps.Persistence);
        _machine = start.Restored is { } restored ? _deps.Persistence!.Restore(restored) : _deps.MachineFactory(start.ResponderSpi);
        if (start.Restored is { } snapshot)
        {
            Resume(snapshot);
            return;
        }
        // A node-level bound on unauthenticated state that does not rely on the machine's own timers.
        Arm(HalfOpenBoundKey, _deps.HalfOpenLifetime);
        RearmScheduler();
    }

    /// <summary>
    /// A plain switch rather than ReceiveActor's Receive&lt;T&gt; table: that table (a delegate, a capture and matcher
    /// state per message type) was about a kilobyte of every tunnel's IKE SA actor for life.
    /// </summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Inbound m:
                Step(new MessageReceived(m.Datagram, Now));
                break;
            case Start m:
                OnStart(m);
                break;
            case DeadlineDue due:
                OnDeadlineDue(due);
                break;
            case Close m:
                Step(new CloseRequested(m.Reason, Now));
                break;
            case Discard m:
                Step(new DiscardRequested(m.Reason, Now));
                break;
            case RedirectIkeSa m:
                _redirectReplyTo = Sender;
                Step(new RedirectRequested(m.Gateway, Now));
                break;
            case Addresses.LeaseGranted m:
                OnLeaseGranted(m);
                break;
            case LeaseFailed m:
                OnLeaseFailed(m);
                break;
            case SessionJournal.Stored s:
                // long.MaxValue: the journal failed, the session runs on unpersisted (logged by it).
                ReleaseHeld(s.Ticket);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private DateTime Now => _deps.Clock.GetUtcNow().UtcDateTime;

    /// <summary>The session this IKE SA belongs to: the same for every SPI it gets by rekeying.</summary>
    private ulong Session => SpiShardMap.SessionOf(_spi);

    /// <summary>A failed child SA is stopped (its SA removed); the IKE SA and the other child SAs carry on.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _deps.Metrics.ChildSaFaulted();
            return Directive.Stop;
        });

    protected override void PostStop()
    {
        CancelScheduler();
        // Keys go with the SA, whether it ended normally or its machine threw (none before Start).
        (_machine as IDisposable)?.Dispose();
        if (_identity is not null)
            _deps.Identities.Remove(_identity, Session);
        if (_established)
            _deps.Metrics.EstablishedSasChanged(-1);
        else
            _deps.Gate.Release(_spi);
        // Children (child SA actors) stop after us and remove their SAs from the data plane.
    }

    private void Step(IkeSaInput input)
    {
        var step = _machine.Handle(input);
        long ticket = HoldUntilStored(step); // 0: the answer need not wait for the journal

        // Send first: a final response (e.g. to a Delete) must still leave when the step also terminates the SA.
        foreach (var datagram in step.Send)
            SendWhenStored(datagram);
        foreach (var e in step.Events)
            Apply(e);
        foreach (var timer in step.Timers)
        {
            if (timer.After is { } after)
                Arm(timer.Key, after);
            else
                _deadlines.Cancel(timer.Key);
        }
        RearmScheduler();
        if (step.Terminated)
            End();
        else if (step.Send.Count > 0 || step.Events.Count > 0 || step.Timers.Count > 0)
            PersistIfChanged(ticket); // a step that produced nothing changed nothing worth saving (most counter polls)
    }

    private void Send(IkeDatagram datagram)
    {
        try
        {
            _deps.Transport.Send(datagram);
        }
        catch (Exception e)
        {
            // A socket error is not the machine's fault; the peer retransmits or the machine's timers give up.
            _deps.Metrics.Dropped(DropReason.SendFailed);
            _log.Warning("IKE SA {0:x16}: sending to {1} failed: {2}", _spi, datagram.Remote, e.Message);
        }
    }

    private void Apply(IkeSaEvent e)
    {
        switch (e)
        {
            case IkeSaEstablished established:
                OnEstablished(established);
                break;
            case ChildSaEstablished child:
                StartChild(child.Sa);
                break;
            case ChildSaRekeyed rekeyed:
                // Make-before-break: the new SA's install moves the outbound route; the old actor (and its inbound SA)
                // stays until the ChildSaDeleted for it.
                _deps.Metrics.ChildSaRekeyed();
                _log.Info("IKE SA {0:x16}: child SA {1:x8} rekeyed, new in={2:x8} out={3:x8}",
                    _spi, rekeyed.OldInboundSpi, rekeyed.NewSa.InboundSpi, rekeyed.NewSa.OutboundSpi);
                StartChild(rekeyed.NewSa);
                break;
            case ChildSaDeleted deleted:
                _childSpis.Remove(deleted.InboundSpi);
                _sequenceMarks?.Forget(deleted.InboundSpi);
                var actor = Context.Child(ChildSaActor.NameFor(deleted.InboundSpi));
                if (!actor.IsNobody())
                    Context.Stop(actor);
                break;
            case ChildSaMoved moved:
                var mover = Context.Child(ChildSaActor.NameFor(moved.InboundSpi));
                if (!mover.IsNobody())
                    mover.Tell(new ChildSaActor.Move(moved.Local, moved.Remote, moved.UdpEncapsulated));
                break;
            case InboundReplayFloorRaised raised:
                // Through the child's actor, so it lands after the install; the mark moves with it (saved with this step).
                _sequenceMarks?.RaiseInbound(raised.InboundSpi, raised.Floor);
                var floored = Context.Child(ChildSaActor.NameFor(raised.InboundSpi));
                if (!floored.IsNobody())
                    floored.Tell(new ChildSaActor.RaiseReplayFloor(raised.Floor));
                _log.Info("IKE SA {0:x16}: child SA {1:x8} refuses inbound sequence numbers up to {2} (RFC 6311 replay counter sync)",
                    _spi, raised.InboundSpi, raised.Floor);
                break;
            case PeerAddressChanged changed:
                _deps.Metrics.PeerAddressChanged();
                if (_identity is not null)
                    _deps.Identities.Moved(_identity, Session, changed.Remote);
                _log.Info("IKE SA {0:x16}: peer moved to {1} (local {2}, udp={3})", _spi, changed.Remote, changed.Local, changed.UdpEncapsulated);
                break;
            case PeerAddressChangeRefused refused:
                _deps.Metrics.PeerAddressChangeRefused();
                _log.Info("IKE SA {0:x16}: address change to {1} refused: {2}", _spi, refused.Remote, refused.Reason);
                break;
            case LivenessStateChanged liveness:
                _deps.Metrics.LivenessStateChanged(liveness.State);
                _log.Info("IKE SA {0:x16}: peer {1}: {2}", _spi, liveness.State, liveness.Reason);
                break;
            case IkeSaRekeyed ike:
                _deps.Metrics.IkeSaRekeyed();
                _log.Info("IKE SA {0:x16}: rekeyed, now {1:x16}/{2:x16} (we are original initiator: {3})",
                    _spi, ike.NewInitiatorSpi, ike.NewResponderSpi, ike.LocalIsOriginalInitiator);
                CheckRoutable(ike.LocalSpi);
                break;
            case IkeSaSpiAdded added:
                CheckRoutable(added.LocalSpi);
                break;
            case IkeSaSpiRetired retired:
                _log.Debug("IKE SA {0:x16}: SPI {1:x16} retired", _spi, retired.LocalSpi);
                break;
            case IkeMessageDropped dropped:
                _deps.Metrics.Dropped(DropReasons.Of(dropped.Reason));
                break;
            case AddressLeaseNeeded needed:
                AskForAddresses(needed);
                break;
            case InitialContactReceived initialContact:
                ReplaceOlderSas(initialContact.PeerIdentity);
                break;
            case RedirectAnswered answered:
                OnRedirectAnswered(answered);
                break;
            case IkeSaClosed closed:
                _log.Info("IKE SA {0:x16} closed: {1}", _spi, closed.Reason);
                break;
        }
    }

    private void OnEstablished(IkeSaEstablished e)
    {
        if (_established)
            return;
        _established = true;
        _deadlines.Cancel(HalfOpenBoundKey);
        _deps.Gate.Release(_spi);
        _deps.Metrics.EstablishedSasChanged(+1);
        _identity = e.PeerIdentity;
        _deps.Identities.Add(new Hosting.EstablishedSession(Session, e.PeerIdentity, e.Remote, e.VirtualAddresses, e.PeerSupportsRedirect, Now), Self);
        Arm(CounterPollKey, _deps.CounterPollInterval);
        RearmScheduler();
        _log.Info("IKE SA {0:x16} established: {1} from {2}, addresses [{3}]",
            _spi, e.PeerIdentity, e.Remote, string.Join(",", e.VirtualAddresses));
    }

    /// <summary>
    /// RFC 7296 §2.4: INITIAL_CONTACT says the peer lost every other SA with us, so the identity's older IKE SAs on
    /// this node go, silently (the peer could not read a Delete). Other nodes' SAs holding addresses are named by the
    /// address registry (<see cref="DiscardElsewhere"/>); each session is discarded once.
    /// </summary>
    private void ReplaceOlderSas(string identity)
    {
        foreach (var (session, ikeSa) in _deps.Identities.Others(identity, Session))
        {
            if (!(_replacedSessions ??= []).Add(session))
                continue; // already discarded through the address registry's answer
            _deps.Metrics.IkeSaReplacedByInitialContact();
            _log.Info("Session {0:x12} of {1} replaced by IKE SA {2:x16} (INITIAL_CONTACT)", session, identity, _spi);
            ikeSa.Tell(new Discard($"replaced by {_spi:x16} (INITIAL_CONTACT)"));
        }
    }

    private void OnRedirectAnswered(RedirectAnswered answered)
    {
        if (answered.Outcome == RedirectOutcome.Sent)
        {
            _deps.Metrics.IkeSaRedirected();
            _log.Info("IKE SA {0:x16} redirected to {1}", _spi, answered.Gateway);
        }
        _redirectReplyTo.Tell(new RedirectReply(Session, answered.Outcome));
        _redirectReplyTo = ActorRefs.Nobody;
    }

    private void StartChild(ChildSaInstallation sa)
    {
        var name = ChildSaActor.NameFor(sa.InboundSpi);
        if (!Context.Child(name).IsNobody())
        {
            _log.Warning("IKE SA {0:x16}: child SA {1:x8} reported twice; keeping the first", _spi, sa.InboundSpi);
            return;
        }

        _childSpis.Add(sa.InboundSpi);
        ReserveSequenceMark(sa);
        Context.ActorOf(ChildSaActor.Props(_deps), name).Tell(new ChildSaActor.Install(sa));
    }

    /// <summary>Counters of every child SA → byte lifetimes and liveness (periodically and before the liveness timer).</summary>
    private void FeedCounters()
    {
        if (!_established || _childSpis.Count == 0)
            return;
        AdvanceSequenceMarks();
        foreach (var input in CounterFeed.Read(_deps.DataPlane, _childSpis, Now))
            Step(input);
    }

    /// <summary>
    /// Every SPI of ours must carry this session's bits, or the ingress would route it elsewhere; the session's
    /// services guarantee it for the real machine, so this only catches a machine allocating SPIs another way.
    /// </summary>
    private void CheckRoutable(ulong localSpi)
    {
        if (SpiShardMap.SessionOf(localSpi) != SpiShardMap.SessionOf(_spi))
            _log.Warning("IKE SA {0:x16}: new SPI {1:x16} is outside this session; messages for it will not arrive", _spi, localSpi);
    }

    private void OnHalfOpenExpired()
    {
        if (_established)
            return;
        _deps.Metrics.Dropped(DropReason.HalfOpenExpired);
        _log.Info("IKE SA {0:x16} did not complete IKE_AUTH in {1}; discarded", _spi, _deps.HalfOpenLifetime);
        End();
    }

    private void End()
    {
        _ending = true;
        ReleaseAddressLease();
        Context.Parent.Tell(Ended.Instance);
        Context.Stop(Self);
    }
}
