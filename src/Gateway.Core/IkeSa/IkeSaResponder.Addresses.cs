using System.Net;
using Gateway.Core.Transport;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// Virtual addresses leased outside the machine (ResponderOptions.ExternalAddressLeases: the cluster's address
// registry). The authenticated IKE_AUTH request is kept, AddressLeaseNeeded goes to the actor, and the response is
// built when AddressLeaseAnswered comes in — so the machine never blocks and never guesses an address.
public sealed partial class IkeSaResponder
{
    /// <summary>What OnIkeAuth returns instead of payloads while the lease is out (compared by reference).</summary>
    private static readonly IReadOnlyList<Payload> AwaitingAddressLease = new List<Payload>();

    private PendingAuth? _pendingAuth;

    private sealed record PendingAuth(AuthSucceeded Auth, IkeHeader Header, IkeDatagram Datagram, DateTime NowUtc);

    /// <summary>True when the response must wait for <see cref="AddressLeaseAnswered"/> (the lease was asked for).</summary>
    private bool DeferForAddressLease(AuthSucceeded auth, IkeHeader header, IkeDatagram datagram, DateTime nowUtc, StepBuilder step)
    {
        if (!_options.ExternalAddressLeases)
            return false;
        var wish = new ConfigurationResponder(_policy, _services).Wish(auth.Child.Cp);
        if (!wish.Any)
            return false;
        _pendingAuth = new PendingAuth(auth, header, datagram, nowUtc);
        Phase = IkeSaPhase.AwaitingAddresses;
        step.Emit(new AddressLeaseNeeded(auth.PeerIdentity, wish.Ipv4, wish.Ipv6, _auth!.InitialContact));
        return true;
    }

    private void OnAddressLeaseAnswered(AddressLeaseAnswered answer, StepBuilder step)
    {
        if (Phase != IkeSaPhase.AwaitingAddresses || _pendingAuth is not { } pending)
            return; // late or repeated answer
        _pendingAuth = null;
        Phase = IkeSaPhase.SaInitDone; // Establish moves on from here as it would have without the wait
        StartMobility(pending.NowUtc, step);
        var payloads = Establish(pending.Auth, pending.Datagram, step, answer.Addresses);
        Respond(pending.Header, payloads, pending.Datagram, step);
        if (!step.IsTerminated)
            AfterRespond(step);
    }
}
