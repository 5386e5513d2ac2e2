using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Gateway.Core.Metrics;

namespace Gateway.Core.Sessions;

/// <summary>
/// One client's session: the sharded entity for a responder SPI and the supervisor of its <see cref="IkeSaActor"/>.
/// Only an admitted IKE_SA_INIT (<see cref="OpenIkeSa"/>) creates the IKE SA; any other message reaching an entity
/// without one is an unknown SPI — dropped, counted, and the entity passivates at once, so random SPIs from the
/// network cost no lasting state. When the IKE SA ends (terminated, failed, expired) the session passivates too.
/// </summary>
public sealed class SessionActor : ReceiveActor
{
    /// <summary>The message sharding hands back to stop this entity after <see cref="Passivate"/>.</summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    private readonly ulong _spi;
    private readonly SessionDependencies _deps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _ikeSa;
    private bool _passivating;

    public SessionActor(ulong responderSpi, SessionDependencies deps)
    {
        _spi = responderSpi;
        _deps = deps;

        Receive<OpenIkeSa>(m =>
        {
            if (_ikeSa is null && !_passivating)
                StartIkeSa();
            Deliver(new IkeSaActor.Inbound(m.Datagram));
        });
        Receive<DeliverToIkeSa>(m => Deliver(new IkeSaActor.Inbound(m.Datagram)));
        Receive<CloseIkeSa>(m =>
        {
            if (_ikeSa is null)
                Passivate();
            else
                _ikeSa.Tell(new IkeSaActor.Close(m.Reason));
        });
        Receive<IkeSaActor.Ended>(_ => OnIkeSaGone());
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_ikeSa))
                OnIkeSaGone();
        });
        Receive<Stop>(_ => Context.Stop(Self));
    }

    public static Props Props(ulong responderSpi, SessionDependencies deps) =>
        Akka.Actor.Props.Create(() => new SessionActor(responderSpi, deps));

    /// <summary>
    /// Any failure of the IKE SA actor (a machine exception above all) stops it: its child SAs stop with it and
    /// remove their SAs; the session then passivates. Nothing is restarted with a machine in an unknown state, and
    /// since each client is its own entity, no other client is touched.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e =>
        {
            _deps.Metrics.IkeSaFaulted();
            // The IKE SA is the only child. Forget it now rather than at Terminated, so messages arriving meanwhile
            // are counted as unknown-SPI drops instead of vanishing into dead letters.
            OnIkeSaGone();
            return Directive.Stop;
        });

    private void StartIkeSa()
    {
        _ikeSa = Context.ActorOf(IkeSaActor.Props(_spi, _deps), "ike-sa");
        Context.Watch(_ikeSa);
    }

    private void Deliver(IkeSaActor.Inbound message)
    {
        if (_ikeSa is null)
        {
            _deps.Metrics.Dropped(DropReason.UnknownSpi);
            _log.Debug("Dropped a message for unknown IKE SA {0:x16} from {1}", _spi, message.Datagram.Remote);
            Passivate();
            return;
        }

        _ikeSa.Tell(message);
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
