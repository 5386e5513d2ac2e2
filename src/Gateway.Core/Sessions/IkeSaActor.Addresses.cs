using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Gateway.Core.Addresses;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

// Virtual addresses from the cluster's address registry (issue 5 §6): the machine asks (AddressLeaseNeeded), this
// actor asks the registry — wherever the singleton runs — and hands the answer back to the machine; no answer within
// the lease timeout is an empty answer (INTERNAL_ADDRESS_FAILURE, never a guessed address). With INITIAL_CONTACT the
// registry names the identity's other sessions, on any node, and they are discarded through the sharding region.
// When the SA ends for good the lease is released; a node stopping (handoff, shutdown) keeps it.
public sealed partial class IkeSaActor
{
    private sealed record LeaseFailed(string Reason);

    /// <summary>Sessions this SA's INITIAL_CONTACT discarded (each once, whichever way it was found).</summary>
    private HashSet<ulong>? _replacedSessions; // made on the first INITIAL_CONTACT that replaces a session: most SAs never need it

    /// <summary>True once this SA asked for (or, restored, holds) addresses: its end releases them.</summary>
    private bool _leaseAsked;

    private void AskForAddresses(AddressLeaseNeeded needed)
    {
        _leaseAsked = true;
        var request = new LeaseRequest(Session, needed.PeerIdentity, needed.Ipv4, needed.Ipv6, needed.ReplaceOthers);
        _deps.AddressRegistry.Ask<LeaseGranted>(request, _deps.AddressLeaseTimeout)
            .PipeTo(Self, failure: e => new LeaseFailed(e.GetBaseException().Message));
    }

    private void OnLeaseGranted(LeaseGranted granted)
    {
        if (granted.Session != Session)
            return;
        if (granted.Addresses.Count == 0)
            _log.Warning("IKE SA {0:x16}: the address registry had no address left", _spi);
        DiscardElsewhere(granted.Replaced);
        Step(new AddressLeaseAnswered(granted.Addresses, Now));
    }

    private void OnLeaseFailed(LeaseFailed failed)
    {
        _log.Warning("IKE SA {0:x16}: no answer from the address registry ({1}); answering INTERNAL_ADDRESS_FAILURE", _spi, failed.Reason);
        Step(new AddressLeaseAnswered([], Now));
    }

    /// <summary>INITIAL_CONTACT across nodes: the identity's sessions the registry knew of go, wherever they run.</summary>
    private void DiscardElsewhere(IReadOnlyList<ulong> sessions)
    {
        if (sessions.Count == 0)
            return;
        var region = ClusterSharding.Get(Context.System).ShardRegion(_deps.EntityTypeName);
        foreach (ulong session in sessions)
        {
            if (session == Session || !(_replacedSessions ??= []).Add(session))
                continue;
            _deps.Metrics.IkeSaReplacedByInitialContact();
            _log.Info("Session {0:x12} replaced by IKE SA {1:x16} (INITIAL_CONTACT, cluster-wide)", session, _spi);
            region.Tell(new DiscardIkeSa(SpiShardMap.SpiOf(session, 0), $"replaced by {_spi:x16} (INITIAL_CONTACT)"));
        }
    }

    private void ReleaseAddressLease()
    {
        if (_leaseAsked)
            _deps.AddressRegistry.Tell(new LeaseReleased(Session));
    }
}
