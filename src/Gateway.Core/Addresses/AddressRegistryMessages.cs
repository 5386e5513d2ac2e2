using System.Net;

namespace Gateway.Core.Addresses;

// What the IKE SA actors and the address registry say to each other (they may be on different nodes: serialized by
// AddressRegistrySerializer), and what the registry persists. Sessions are named by their session id, which stays the
// same across IKE SA rekeys and node moves.

/// <summary>A registry message; crosses nodes.</summary>
public abstract record AddressRegistryMessage;

/// <summary>
/// Addresses for a session of <paramref name="Identity"/>: one per family asked for. <paramref name="ReplaceOthers"/>
/// (INITIAL_CONTACT): the identity's other sessions are stale; their addresses may be taken and they are named in the
/// answer so the asker can delete them. Asked again (a retry), the session gets what it holds.
/// </summary>
public sealed record LeaseRequest(ulong Session, string Identity, bool Ipv4, bool Ipv6, bool ReplaceOthers) : AddressRegistryMessage;

/// <summary>The answer to <see cref="LeaseRequest"/>: the addresses (empty: none free) and the replaced sessions.</summary>
public sealed record LeaseGranted(ulong Session, IReadOnlyList<IPAddress> Addresses, IReadOnlyList<ulong> Replaced) : AddressRegistryMessage;

/// <summary>The session's IKE SA ended for good: its addresses go idle (still its identity's while the pool has room).</summary>
public sealed record LeaseReleased(ulong Session) : AddressRegistryMessage;

/// <summary>
/// A session restored from the journal uses these addresses: the registry records them for it if it did not know (a
/// journal written before the registry existed, or a registry that lost its state). Addresses it knows as held by
/// another session stay that session's (the conflict is logged).
/// </summary>
public sealed record LeaseRestored(ulong Session, string Identity, IReadOnlyList<IPAddress> Addresses) : AddressRegistryMessage;

/// <summary>A persisted registry event (encrypted at rest like the session state: identities are personal data).</summary>
public abstract record AddressRegistryEvent;

/// <summary>The outcome of a <see cref="LeaseRequest"/>, applied with <see cref="AddressBook.Assign"/>.</summary>
public sealed record AddressesAssigned(ulong Session, string Identity, IReadOnlyList<IPAddress> Addresses) : AddressRegistryEvent;

/// <summary>A <see cref="LeaseReleased"/>, applied with <see cref="AddressBook.Release"/>.</summary>
public sealed record AddressesFreed(ulong Session) : AddressRegistryEvent;

/// <summary>A snapshot of the whole book (<see cref="AddressBook.Records"/>), so recovery does not replay every event.</summary>
public sealed record AddressBookSnapshot(IReadOnlyList<AddressRecord> Records) : AddressRegistryEvent;
