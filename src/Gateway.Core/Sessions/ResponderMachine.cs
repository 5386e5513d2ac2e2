using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>The real IKE SA machine: <see cref="IkeSaResponder"/> behind <see cref="IIkeSaMachine"/>.</summary>
public sealed class ResponderMachine(IkeSaResponder responder) : IIkeSaMachine, IDisposable
{
    public IkeSaStep Handle(IkeSaInput input) => responder.Handle(input);

    public IkeSaSnapshot? TryExportSnapshot() => responder.TryExportSnapshot();

    /// <summary>Drops the SA's keys (the actor calls this when it stops, a crash included).</summary>
    public void Dispose() => responder.Dispose();

    public override string ToString() => responder.ToString();

    /// <summary>
    /// Machines for new IKE SAs. Each gets the node's services through its own <see cref="SessionResponderServices"/>,
    /// so the SPIs it allocates when rekeying keep its session id (and so its entity).
    /// </summary>
    public static Func<ulong, IIkeSaMachine> Factory(GatewayPolicy policy, IResponderServices services, ResponderOptions? options = null,
        SpiShardMap? shards = null) =>
        spi => new ResponderMachine(new IkeSaResponder(spi, policy, new SessionResponderServices(services, spi, shards), options));

    /// <summary>Machines for IKE SAs recovered from the journal (issue 5), with the session's services as for new ones.</summary>
    public static Func<IkeSaSnapshot, IIkeSaMachine> Restorer(GatewayPolicy policy, IResponderServices services, ResponderOptions? options = null,
        SpiShardMap? shards = null) =>
        snapshot => new ResponderMachine(IkeSaResponder.Restore(snapshot, policy, new SessionResponderServices(services, snapshot.LocalSpi, shards), options));
}
