using System.Net;

namespace Gateway.Core.IkeSa;

// Contract additions for virtual addresses leased outside the machine (the cluster's address registry, issue 5 §6):
// the machine stays synchronous; the actor obtains the lease and hands it in.

/// <summary>
/// With <see cref="ResponderOptions.ExternalAddressLeases"/>: <paramref name="PeerIdentity"/> authenticated and asked
/// for virtual addresses of these families. The IKE_AUTH response waits until the actor answers with
/// <see cref="AddressLeaseAnswered"/>. <paramref name="ReplaceOthers"/>: the request carried INITIAL_CONTACT, so the
/// identity's other SAs (on any node) are stale and their addresses may be taken over.
/// </summary>
public sealed record AddressLeaseNeeded(string PeerIdentity, bool Ipv4, bool Ipv6, bool ReplaceOthers) : IkeSaEvent;

/// <summary>
/// The addresses leased for <see cref="AddressLeaseNeeded"/>; empty when none could be leased (pool exhausted, registry
/// unreachable in time): the client then gets INTERNAL_ADDRESS_FAILURE and no child SA (RFC 7296 §3.15.4).
/// </summary>
public sealed record AddressLeaseAnswered(IReadOnlyList<IPAddress> Addresses, DateTime NowUtc) : IkeSaInput(NowUtc);
