using Gateway.Core.IkeSa;

namespace Gateway.Core.Persistence;

/// <summary>A persisted event of a session's journal (issue 5). Immutable; written only by <see cref="SessionStateSerializer"/>.</summary>
public abstract record SessionEvent;

/// <summary>The session's established IKE SA as it is now: the whole state, so recovery needs only the latest one.</summary>
public sealed record IkeSaStateSaved(IkeSaSnapshot Snapshot) : SessionEvent;

/// <summary>The IKE SA ended: nothing to recover (a tombstone, in case the journal is not yet cleaned up).</summary>
public sealed record IkeSaStateDeleted(string Reason) : SessionEvent;
