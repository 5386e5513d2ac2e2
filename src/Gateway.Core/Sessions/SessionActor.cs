using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Gateway.Core.Metrics;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>
/// One client's session: the sharded entity for a session id (the top 48 bits of all of its IKE SPIs, see
/// <see cref="Routing.SpiShardMap"/>) and the supervisor of its <see cref="IkeSaActor"/>. Only an admitted IKE_SA_INIT
/// (<see cref="OpenIkeSa"/>) creates the IKE SA; any other message reaching an entity without one is an unknown SPI —
/// dropped, counted, and the entity passivates at once, so random SPIs from the network cost no lasting state. When
/// the IKE SA ends (terminated, failed, expired) the session passivates too. Which of the session's SPIs a message
/// names (current, rekeyed away, redundant) is the machine's business: every one of them routes here.
/// <para>Session ids are random, not allocated from a table; should a new IKE_SA_INIT draw the id of a live session,
/// it is dropped and counted here (the client's retransmission then draws a fresh SPI at the half-open gate).</para>
/// </summary>
public sealed partial class SessionActor : UntypedActor, IWithUnboundedStash
{
    /// <summary>The message sharding hands back to stop this entity after <see cref="Passivate"/>.</summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    private readonly ulong _session;
    private readonly SessionDependencies _deps;
    private readonly ILoggingAdapter _log = SharedLoggers.For<SessionActor>(Context);
    private IActorRef? _ikeSa;
    private (ulong ResponderSpi, ulong InitiatorSpi) _openedBy;
    private bool _passivating;

    /// <summary>The session id is the entity's name (its entity id, <see cref="SpiShardMap.EntityIdOfSession"/>).</summary>
    public SessionActor(SessionDependencies deps)
    {
        _session = SpiShardMap.TryParseEntityId(Self.Path.Name, out var session) ? session : 0;
        _deps = deps;
    }

    /// <summary>A switch, not ReceiveActor's per-instance Receive&lt;T&gt; table (memory of every tunnel, see IkeSaActor).</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case OpenIkeSa m:
                OnOpen(m);
                break;
            case DeliverToIkeSa m:
                Deliver(new IkeSaActor.Inbound(m.Datagram));
                break;
            case CloseIkeSa m:
                TellIkeSaOrPassivate(new IkeSaActor.Close(m.Reason));
                break;
            case DiscardIkeSa m:
                TellIkeSaOrPassivate(new IkeSaActor.Discard(m.Reason));
                break;
            case RedirectIkeSa m:
                if (_ikeSa is null)
                {
                    Sender.Tell(new RedirectReply(_session, IkeSa.RedirectOutcome.UnknownSession));
                    Passivate();
                }
                else
                    _ikeSa.Forward(m);
                break;
            case IkeSaActor.Ended:
                OnIkeSaEnded();
                break;
            case Stop:
                Context.Stop(Self);
                break;
            case HandOff:
                OnHandOff();
                break;
            case StartedWithoutMessage:
                break; // the IKE_SA_INIT that opened the session came first
            case WakeSession:
                OnWake();
                break;
            case ProbeSession:
                OnProbe();
                break;
            default:
                if (!OnJournalMessage(message))
                    Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// One Props for every session of a node: Props made per entity (with the id as an argument) stayed in each
    /// session's actor cell for life, with their argument array, producer and boxed id (about 190 bytes a tunnel).
    /// </summary>
    public static Props Props(SessionDependencies deps) =>
        Akka.Actor.Props.Create(() => new SessionActor(deps)).WithMailboxOf(deps);

    /// <summary>
    /// The IKE SA is not watched (a watch is a dictionary in this actor and a set in the IKE SA's, about 350 bytes of
    /// every idle tunnel): it tells <see cref="IkeSaActor.Ended"/> before it stops itself, a failure comes here, and
    /// only a hand-off stops it from outside (which watches it then).
    /// Any failure of the IKE SA actor (a machine exception above all) stops it: its child SAs stop with it and
    /// remove their SAs; the session then passivates. Nothing is restarted with a machine in an unknown state, and
    /// since each client is its own entity, no other client is touched.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _deps.Metrics.IkeSaFaulted();
            // The IKE SA is the only child. Forget it now, so messages arriving meanwhile are counted as unknown-SPI
            // drops instead of vanishing into dead letters.
            OnIkeSaGone();
            return Directive.Stop;
        });

    private void OnOpen(OpenIkeSa m)
    {
        ulong initiatorSpi = Gateway.Ike.IkeHeader.TryParse(m.Datagram.Message.Span, out var header, out _) ? header.InitiatorSpi : 0;
        if (_ikeSa is null && !_passivating)
        {
            _openedBy = (m.LocalSpi, initiatorSpi);
            _ikeSa = IkeSaActor.Spawn(Context, _deps, new IkeSaActor.Start(m.LocalSpi, _writing ? Self : null, null), "ike-sa");
        }
        else if (_ikeSa is not null && _openedBy != (m.LocalSpi, initiatorSpi))
        {
            // Another client's IKE_SA_INIT drew this session id: the live session keeps it. Releasing the gate entry
            // makes the client's retransmission draw a fresh SPI (and so, almost surely, another session).
            _deps.Metrics.Dropped(DropReason.SessionCollision);
            _deps.Gate.Release(m.LocalSpi);
            _log.Info("Session {0:x12}: IKE_SA_INIT from {1} collided with the live IKE SA; dropped", _session, m.Datagram.Remote);
            return;
        }
        Deliver(new IkeSaActor.Inbound(m.Datagram));
    }

    private void Deliver(IkeSaActor.Inbound message)
    {
        if (_ikeSa is null)
        {
            _deps.Metrics.Dropped(DropReason.UnknownSpi);
            _log.Debug("Dropped a message for unknown IKE SA (session {0:x12}) from {1}", _session, message.Datagram.Remote);
            Passivate();
            return;
        }

        _ikeSa.Tell(message);
    }

    /// <summary>An operator's or another session's request for the IKE SA; without one there is nothing to keep.</summary>
    private void TellIkeSaOrPassivate(object request)
    {
        if (_ikeSa is null)
            Passivate();
        else
            _ikeSa.Tell(request);
    }

    private void OnIkeSaGone()
    {
        _ikeSa = null;
        Passivate();
    }

    private void Passivate()
    {
        if (_passivating)
            return;
        _passivating = true;
        Context.Parent.Tell(new Passivate(Stop.Instance));
    }
}
