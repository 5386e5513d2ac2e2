using System.Net;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Gateway.Core.DataPlane;

namespace Gateway.Core.Sessions;

/// <summary>
/// Owns one child SA's entry in the data plane: installed by its first message (<see cref="Install"/>), removed when
/// it stops — for any reason, a crash included — so the data plane never keeps an SA whose actor is gone. Packets never
/// pass through here (DESIGN.md: no actor mailbox on the data plane). MOBIKE moves come as <see cref="Move"/>, a raised
/// replay floor (RFC 6311) as <see cref="RaiseReplayFloor"/>. A rekey starts a
/// new ChildSaActor for the new SA while this one stays until the SA is deleted: the data plane routes the inner
/// addresses to the newest outbound SA at install (make-before-break), and this SA's inbound keeps receiving.
/// </summary>
public sealed class ChildSaActor : UntypedActor
{
    /// <summary>
    /// The first message, from the IKE SA actor right after it made this one: install the SA. The SA comes as a
    /// message rather than a constructor argument so that all child SA actors of a node share one Props (Props with
    /// arguments stay in each actor's cell for life: about 190 bytes of every tunnel).
    /// </summary>
    public sealed record Install(ChildSaInstallation Sa);

    /// <summary>Move this SA pair's traffic to a new path (MOBIKE, NAT mapping change); SPIs and keys stay.</summary>
    public sealed record Move(IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated);

    /// <summary>RFC 6311 replay counter sync confirmed: inbound sequence numbers at or below the floor are replays.</summary>
    public sealed record RaiseReplayFloor(ulong Floor);

    private static readonly ConditionalWeakTable<SessionDependencies, Props> PropsByNode = new();

    private readonly SessionDependencies _deps;
    private readonly ILoggingAdapter _log = SharedLoggers.For<ChildSaActor>(Context);

    // The SPIs only: the SA itself (keys, selectors) is in the data plane and in the IKE SA's machine.
    private uint _inboundSpi;
    private uint _outboundSpi;
    private bool _installed;

    public ChildSaActor(SessionDependencies deps)
    {
        _deps = deps;
    }

    /// <summary>A switch, not ReceiveActor's per-instance Receive&lt;T&gt; table (memory of every tunnel, see IkeSaActor).</summary>
    protected override void OnReceive(object message)
    {
        if (message is Install install)
            OnInstall(install.Sa);
        else if (message is Move move)
            OnMove(move);
        else if (message is RaiseReplayFloor raise)
            _deps.DataPlane.RaiseInboundFloor(_inboundSpi, raise.Floor);
        else
            Unhandled(message);
    }

    /// <summary>Start it with <c>Context.ActorOf(Props(deps), NameFor(sa.InboundSpi)).Tell(new Install(sa))</c>.</summary>
    public static Props Props(SessionDependencies deps) =>
        PropsByNode.GetValue(deps, d => Akka.Actor.Props.Create(() => new ChildSaActor(d)).WithMailboxOf(d));

    public static string NameFor(uint inboundSpi) => $"child-{inboundSpi:x8}";

    private void OnInstall(ChildSaInstallation sa)
    {
        if (_installed)
            return; // one SA per actor
        _inboundSpi = sa.InboundSpi;
        _outboundSpi = sa.OutboundSpi;
        try
        {
            _deps.DataPlane.Install(sa);
        }
        catch
        {
            // A half-done install must not linger: the exception stops this actor (the IKE SA's supervisor), and
            // PostStop removes only what was installed.
            RemoveFromDataPlane();
            throw;
        }

        _installed = true;
        _deps.Metrics.ChildSasChanged(+1);
        // ChildSaInstallation.ToString never prints keys.
        _log.Info("Installed {0}", sa);
    }

    protected override void PostStop()
    {
        if (!_installed)
            return;
        RemoveFromDataPlane();
        _deps.Metrics.ChildSasChanged(-1);
        _log.Info("Removed child SA in={0:x8} out={1:x8}", _inboundSpi, _outboundSpi);
    }

    private void OnMove(Move m)
    {
        // An exception escapes: the IKE SA actor's supervisor stops this actor, which removes the SA.
        _deps.DataPlane.UpdatePeer(_inboundSpi, m.Local, m.Remote, m.UdpEncapsulated);
        _log.Info("Child SA in={0:x8} moved to {1}->{2}, udp={3}", _inboundSpi, m.Local, m.Remote, m.UdpEncapsulated);
    }

    private void RemoveFromDataPlane()
    {
        try
        {
            _deps.DataPlane.Remove(_inboundSpi);
        }
        catch (Exception e)
        {
            _log.Error(e, "Removing child SA {0:x8} from the data plane failed", _inboundSpi);
        }
    }
}
