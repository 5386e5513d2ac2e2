using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Gateway.Core.Sessions;

/// <summary>
/// The sessions the journal holds a live history for: the <see cref="SessionJournal"/> persistence ids it still has
/// (an ended session's history is deleted). One read of every id (Akka.Persistence.Query CurrentPersistenceIds; one
/// SELECT DISTINCT on the SQL journal). Read by the session waker (to wake them) and the address registry (to free
/// the leases of sessions that are gone).
/// </summary>
public static class LiveSessions
{
    public static async Task<HashSet<ulong>> ReadAsync(ActorSystem system, string readJournalPluginId)
    {
        var query = PersistenceQuery.Get(system).ReadJournalFor<ICurrentPersistenceIdsQuery>(readJournalPluginId);
        var ids = await query.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), system.Materializer()).ConfigureAwait(false);
        var sessions = new HashSet<ulong>();
        foreach (string id in ids)
            if (SessionJournal.TryParsePersistenceId(id, out ulong session))
                sessions.Add(session);
        return sessions;
    }
}
