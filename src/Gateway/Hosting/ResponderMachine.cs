using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;

namespace Gateway.Hosting;

/// <summary>The real IKE SA machine (<see cref="IkeSaResponder"/>) behind the actors' <see cref="IIkeSaMachine"/> seam.</summary>
internal sealed class ResponderMachine(IkeSaResponder responder) : IIkeSaMachine
{
    public IkeSaStep Handle(IkeSaInput input) => responder.Handle(input);

    public static Func<ulong, IIkeSaMachine> Factory(GatewayPolicy policy, IResponderServices services) =>
        spi => new ResponderMachine(new IkeSaResponder(spi, policy, services));
}
