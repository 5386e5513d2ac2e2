using Akka.Actor;
using Akka.Event;
using Gateway.Core.DataPlane;

namespace Gateway.Core.Sessions;

/// <summary>
/// Owns one child SA's entry in the data plane: installed when the actor starts, removed when it stops — for any
/// reason, a crash included — so the data plane never keeps an SA whose actor is gone. Packets never pass through
/// here (DESIGN.md: no actor mailbox on the data plane). MOBIKE updates, counters and rekey timers will live here.
/// </summary>
public sealed class ChildSaActor : ReceiveActor
{
    private readonly ChildSaInstallation _sa;
    private readonly SessionDependencies _deps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _installed;

    public ChildSaActor(ChildSaInstallation sa, SessionDependencies deps)
    {
        _sa = sa;
        _deps = deps;
    }

    public static Props Props(ChildSaInstallation sa, SessionDependencies deps) =>
        Akka.Actor.Props.Create(() => new ChildSaActor(sa, deps));

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
