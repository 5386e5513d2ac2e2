using System.Net;
using Akka.Actor;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;
using Gateway.Core.Sessions;
using Gateway.Core.Tests.Persistence;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>
/// The answer that establishes an IKE SA (or installs a child SA) leaves only once the session's journal has stored
/// that state, so a client is never told of SAs a failover would lose; answers that change nothing a failover needs
/// leave at once.
/// </summary>
public sealed class DurableAnswerTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    private const ulong Spi = 0x0123456789ab0001;

    /// <summary>Message 1 establishes (with a child SA); any other message is only echoed.</summary>
    private sealed class EstablishingMachine : IIkeSaMachine
    {
        private bool _established;

        public IkeSaStep Handle(IkeSaInput input)
        {
            if (input is not MessageReceived m)
                return IkeSaStep.Nothing;
            var echo = IkeMessages.Echo(Spi, m.Datagram);
            if (_established)
                return echo;
            _established = true;
            return echo with
            {
                Events = [new IkeSaEstablished("alice@test", [IPAddress.Parse("10.77.0.2")], IkeMessages.Client(1)),
                          new ChildSaEstablished(IkeMessages.ChildSa(0xc0000001))],
            };
        }

        // Changes with every step, so each one is saved.
        public IkeSaSnapshot? TryExportSnapshot() => _established ? StateSerializerTests.Sample() with { ExpectedRequestId = _steps++ } : null;

        private uint _steps;
    }

    /// <summary>
    /// Message 1 establishes; message 2 changes the state and nothing else (saved without a ticket); message 3 installs
    /// a child SA but exports the same state as message 2 (nothing new to write).
    /// </summary>
    private sealed class UnchangedStateMachine : IIkeSaMachine
    {
        private uint _steps;

        public IkeSaStep Handle(IkeSaInput input)
        {
            if (input is not MessageReceived m)
                return IkeSaStep.Nothing;
            var echo = IkeMessages.Echo(Spi, m.Datagram);
            return ++_steps switch
            {
                1 => echo with
                {
                    Events = [new IkeSaEstablished("alice@test", [IPAddress.Parse("10.77.0.2")], IkeMessages.Client(1)),
                              new ChildSaEstablished(IkeMessages.ChildSa(0xc0000001))],
                },
                3 => echo with { Events = [new ChildSaEstablished(IkeMessages.ChildSa(0xc0000002))] },
                _ => echo,
            };
        }

        public IkeSaSnapshot? TryExportSnapshot() =>
            _steps == 0 ? null : StateSerializerTests.Sample() with { ExpectedRequestId = Math.Min(_steps, 2) };
    }

    private Akka.Actor.IActorRef StartIkeSa(Akka.Actor.IActorRef journal, Func<IIkeSaMachine>? machine = null)
    {
        var map = new SpiShardMap(16);
        var gate = new HalfOpenGate(10, TimeSpan.FromSeconds(30), TimeProvider.System, new RandomResponderSpiSource(map, new ObservedLocalShards()), Metrics);
        var deps = new SessionDependencies(_ => machine?.Invoke() ?? new EstablishingMachine(), new ProbeTransport(Wire.Ref), DataPlane, Metrics, gate,
            TimeProvider.System, TimeSpan.FromSeconds(30));
        return IkeSaActor.Spawn(Sys, deps, new IkeSaActor.Start(Spi, journal, null));
    }

    [Fact]
    public void The_answer_that_establishes_the_SA_waits_for_the_journal_and_a_later_answer_does_not()
    {
        var journal = CreateTestProbe();
        var ikeSa = StartIkeSa(journal.Ref);

        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 1)));
        var save = journal.ExpectMsg<SessionJournal.Save>(Patience);
        Assert.NotEqual(0, save.Ticket);
        // The actor hands the save to the journal after its step's sends: had the answer gone out, it would be here.
        Wire.ExpectNoMsg(TimeSpan.Zero);

        journal.Reply(new SessionJournal.Stored(save.Ticket));
        Wire.ExpectMsg<Sent>(Patience);

        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 2)));
        Wire.ExpectMsg<Sent>(Patience); // nothing to wait for: sent before its save
        Assert.Equal(0, journal.ExpectMsg<SessionJournal.Save>(Patience).Ticket);
    }

    [Fact]
    public void An_answer_whose_state_was_saved_already_waits_until_that_save_is_stored()
    {
        var journal = CreateTestProbe();
        var ikeSa = StartIkeSa(journal.Ref, () => new UnchangedStateMachine());
        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 1)));
        journal.Reply(new SessionJournal.Stored(journal.ExpectMsg<SessionJournal.Save>(Patience).Ticket));
        Wire.ExpectMsg<Sent>(Patience);

        // Message 2's state goes to the journal without a ticket and is not confirmed: its write is still in flight.
        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 2)));
        Assert.Equal(0, journal.ExpectMsg<SessionJournal.Save>(Patience).Ticket);
        Wire.ExpectMsg<Sent>(Patience);

        // Message 3 installs a child SA; its state equals message 2's, so nothing new is written, but the answer must
        // still wait for that earlier write.
        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 3)));
        var confirm = journal.ExpectMsg<SessionJournal.Confirm>(Patience);
        Wire.ExpectNoMsg(TimeSpan.Zero); // handed to the journal after the step's sends: had it gone out, it would be here

        journal.Reply(new SessionJournal.Stored(confirm.Ticket));
        Wire.ExpectMsg<Sent>(Patience);
    }

    [Fact]
    public void A_journal_that_failed_releases_the_held_answer()
    {
        var journal = CreateTestProbe();
        var ikeSa = StartIkeSa(journal.Ref);

        ikeSa.Tell(new IkeSaActor.Inbound(IkeMessages.Auth(IkeMessages.Client(1), 0xabc, Spi, messageId: 1)));
        journal.ExpectMsg<SessionJournal.Save>(Patience);
        Wire.ExpectNoMsg(TimeSpan.Zero);

        // What the session answers when a write failed: the session runs on unpersisted.
        journal.Reply(new SessionJournal.Stored(long.MaxValue));
        Wire.ExpectMsg<Sent>(Patience);
    }
}
