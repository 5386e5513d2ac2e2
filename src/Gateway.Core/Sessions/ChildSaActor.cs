using System.Net;
using Akka.Actor;
using Akka.Event;
using Gateway.Core.DataPlane;

namespace Gateway.Core.Sessions;

/// <summary>
/// Owns one child SA's entry in the data plane: installed when the actor starts, removed when it stops — for any
/// reason, a crash included — so the data plane never keeps an SA whose actor is gone. Packets never pass through
/// here (DESIGN.md: no actor mailbox on the data plane). MOBIKE moves come as <see cref="Move"/>, a raised replay floor (RFC 6311) as <see cref="RaiseReplayFloor"/>. A rekey starts a
/// new ChildSaActor for the new SA while this one stays until the SA is deleted: the data plane routes the inner
/// addresses to the newest outbound SA at install (make-before-break), and this SA's inbound keeps receiving.
/// </summary>
public sealed class ChildSaActor : UntypedActor
{
    /// <summary>Move this SA pair's traffic to a new path (MOBIKE, NAT mapping change); SPIs and keys stay.</summary>
    public sealed record Move(IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated);

    /// <summary>RFC 6311 replay counter sync confirmed: inbound sequence numbers at or below the floor are replays.</summary>
    public sealed record RaiseReplayFloor(ulong Floor);

    private ChildSaInstallation _sa;
    private readonly SessionDependencies _deps;
    private readonly ILoggingAdapter _log = SharedLoggers.For<ChildSaActor>(Context);
    private bool _installed;

    public ChildSaActor(ChildSaInstallation sa, SessionDependencies deps)
    {
        _sa = sa;
        _deps = deps;
    }

    /// <summary>A switch, not ReceiveActor's per-instance Receive&lt;T&gt; table (memory of every tunnel, see IkeSaActor).</summary>
    protected override void OnReceive(object message)
    {
        if (message is Move move)
            OnMove(move);
        else if (message is RaiseReplayFloor raise)
            _deps.DataPlane.RaiseInboundFloor(_sa.InboundSpi, raise.Floor);
        else
            Unhandled(message);
    }

    public static Props Props(ChildSaInstallation sa, SessionDependencies deps) =>
        Akka.Actor.Props.Create(() => new ChildSaActor(sa, deps)).WithMailboxOf(deps);

    public static string NameFor(uint inboundSpi) => $"child-{inboundSpi:x8}";

    protected override void PreStart()
    {
        try
        {
            _deps.DataPlane.Install(_sa);
        }
        catch
        {
            // Akka does not run PostStop for an actor whose PreStart failed; a half-done install must not linger.
            RemoveFromDataPlane();
            throw;
        }

        _installed = true;
        _deps.Metrics.ChildSasChanged(+1);
        // ChildSaInstallation.ToString never prints keys.
        _log.Info("Installed {0}", _sa);
    }

    protected override void PostStop()
    {
        if (!_installed)
            return;
        RemoveFromDataPlane();
        _deps.Metrics.ChildSasChanged(-1);
        _log.Info("Removed child SA in={0:x8} out={1:x8}", _sa.InboundSpi, _sa.OutboundSpi);
    }

    private void OnMove(Move m)
    {
        // An exception escapes: the IKE SA actor's supervisor stops this actor, which removes the SA.
        _deps.DataPlane.UpdatePeer(_sa.InboundSpi, m.Local, m.Remote, m.UdpEncapsulated);
        _sa = _sa with { Local = m.Local, Remote = m.Remote, UdpEncapsulated = m.UdpEncapsulated };
        _log.Info("Child SA in={0:x8} moved to {1}->{2}, udp={3}", _sa.InboundSpi, m.Local, m.Remote, m.UdpEncapsulated);
    }

    private void RemoveFromDataPlane()
    {
        try
        {
            _deps.DataPlane.Remove(_sa.InboundSpi);
        }
        catch (Exception e)
        {
            _log.Error(e, "Removing child SA {0:x8} from the data plane failed", _sa.InboundSpi);
        }
    }
}
