using System.Net;
using Akka.Actor;
using Gateway.Core.Hosting;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Actors;

public sealed class IdentitySessionsTests
{
    private static EstablishedSession Session(ulong id, string identity, string remote, int minute) =>
        new(id, identity, IPEndPoint.Parse(remote), [IPAddress.Parse($"10.77.0.{id}")], true, new DateTime(2026, 1, 1, 0, minute, 0, DateTimeKind.Utc));

    [Fact]
    public void Lists_by_identity_then_age_follows_moves_and_forgets_removed_sessions()
    {
        var index = new IdentitySessions();
        index.Add(Session(3, "bob", "192.0.2.3:4500", 1), ActorRefs.Nobody);
        index.Add(Session(2, "alice", "192.0.2.2:4500", 5), ActorRefs.Nobody);
        index.Add(Session(1, "alice", "192.0.2.1:4500", 2), ActorRefs.Nobody);

        Assert.Equal([1UL, 2UL, 3UL], index.All().Select(s => s.SessionId));
        Assert.Equal(2, index.CountOf("alice"));

        index.Moved("alice", 2, IPEndPoint.Parse("198.51.100.9:4500"));
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:4500"), index.All().Single(s => s.SessionId == 2).Remote);
        index.Moved("alice", 9, IPEndPoint.Parse("198.51.100.9:4500")); // unknown session: nothing happens

        index.Remove("alice", 1);
        index.Remove("bob", 3);
        Assert.Equal([2UL], index.All().Select(s => s.SessionId));
        Assert.Equal(0, index.CountOf("bob"));
    }
}
