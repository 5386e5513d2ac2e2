using Gateway.Core.IkeSa;
using Gateway.Core.Policy;

namespace Gateway.Core.Sessions;

/// <summary>The real IKE SA machine: <see cref="IkeSaResponder"/> behind <see cref="IIkeSaMachine"/>.</summary>
public sealed class ResponderMachine(IkeSaResponder responder) : IIkeSaMachine, IDisposable
{
    public IkeSaStep Handle(IkeSaInput input) => responder.Handle(input);

    /// <summary>Drops the SA's keys (the actor calls this when it stops, a crash included).</summary>
    public void Dispose() => responder.Dispose();

    public override string ToString() => responder.ToString();

    /// <summary>
    /// Machines for new IKE SAs. Each gets the node's services through its own <see cref="SessionResponderServices"/>,
    /// so the SPIs it allocates when rekeying keep its session id (and so its entity).
    /// </summary>
    public static Func<ulong, IIkeSaMachine> Factory(GatewayPolicy policy, IResponderServices services, ResponderOptions? options = null) =>
        spi => new ResponderMachine(new IkeSaResponder(spi, policy, new SessionResponderServices(services, spi), options));
}
