using Akka.Actor;
using Akka.TestKit.Xunit2;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tests.Sessions;

public sealed class LeanMailboxTests : TestKit
{
    private static Envelope Message(int n) => new(n, ActorRefs.NoSender);

    [Fact]
    public void Keeps_order_across_growth_and_prepends()
    {
        var queue = new LeanMessageQueue();
        Assert.False(queue.HasMessages);
        for (int i = 1; i <= 10; i++) // beyond the initial ring, wrapped after a dequeue
        {
            queue.Enqueue(ActorRefs.Nobody, Message(i));
            if (i == 3)
            {
                Assert.True(queue.TryDequeue(out var first));
                Assert.Equal(1, first.Message);
            }
        }
        queue.EnqueueFirst(Message(0));
        Assert.Equal(10, queue.Count);

        var seen = new List<object>();
        while (queue.TryDequeue(out var e))
            seen.Add(e.Message);
        Assert.Equal([0, 2, 3, 4, 5, 6, 7, 8, 9, 10], seen.Cast<int>());
        Assert.False(queue.HasMessages);
        Assert.False(queue.TryDequeue(out _));

        queue.Enqueue(ActorRefs.Nobody, Message(11)); // usable again after the grown ring was given back
        Assert.True(queue.TryDequeue(out var last));
        Assert.Equal(11, last.Message);
    }

    [Fact]
    public void Concurrent_senders_lose_nothing()
    {
        var queue = new LeanMessageQueue();
        Parallel.For(0, 4, sender =>
        {
            for (int i = 0; i < 1000; i++)
                queue.Enqueue(ActorRefs.Nobody, Message(sender * 1000 + i));
        });
        var seen = new HashSet<int>();
        while (queue.TryDequeue(out var e))
            seen.Add((int)e.Message);
        Assert.Equal(4000, seen.Count);
    }

    /// <summary>An actor with a stash on the lean mailbox: stashed messages come back first, in order.</summary>
    private sealed class Stashing : ReceiveActor, IWithUnboundedStash
    {
        public IStash Stash { get; set; } = null!;

        public Stashing(IActorRef probe)
        {
            Receive<string>(s => s == "open", _ =>
            {
                Stash.UnstashAll();
                Become(() => ReceiveAny(m => probe.Tell(m)));
            });
            ReceiveAny(_ => Stash.Stash());
        }
    }

    [Fact]
    public void An_actor_with_a_stash_runs_on_it()
    {
        string path = LeanMailbox.Register(Sys);
        var actor = Sys.ActorOf(Props.Create(() => new Stashing(TestActor)).WithMailbox(path));
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell("open");
        actor.Tell(3);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectMsg(3);
    }
}
