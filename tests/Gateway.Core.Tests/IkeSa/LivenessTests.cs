using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>Liveness checks with back-off, dormancy, coming back from a new address, and the grace period.</summary>
public sealed class LivenessTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static (IkeSaResponder Sa, TestInitiator Client, uint InboundSpi) Established(ResponderOptions? options = null)
    {
        var sa = new TestGateway().NewSa(options);
        var client = new TestInitiator(sa) { Now = T0 };
        client.SaInit("aes256-sha256-modp2048");
        var auth = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xABC00001, TestInitiator.AddressRequest()));
        Assert.Contains(auth.Step.Timers, t => t.Key == ResponderOptions.LivenessTimerKey && t.After == TimeSpan.FromSeconds(30));
        return (sa, client, auth.Step.Single<ChildSaEstablished>().Sa.InboundSpi);
    }

    private static IkeSaStep Fire(IkeSaResponder sa, string key, DateTime at) => sa.Handle(new TimerFired(key, at));

    [Fact]
    public void Idle_peer_gets_an_empty_informational_request_and_its_answer_keeps_it_connected()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var step = Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(30));
            var (header, payloads, datagram) = Assert.Single(client.GatewayRequests(step));
            Assert.Equal(ExchangeType.Informational, header.ExchangeType);
            Assert.Empty(payloads);
            Assert.False(header.IsInitiator);
            Assert.False(header.IsResponse);
            Assert.Equal(0u, header.MessageId);
            Assert.Equal(client.Client, datagram.Remote);

            client.Now = T0.AddSeconds(31);
            var answered = client.Answer(header, []);
            Assert.Empty(answered.All<LivenessStateChanged>());
            Assert.Contains(answered.Timers, t => t.Key == ResponderOptions.LivenessTimerKey && t.After == TimeSpan.FromSeconds(30));
            Assert.Equal(LivenessState.Connected, sa.Liveness);

            // The next probe uses the next message ID of our own sequence.
            var next = Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(61));
            Assert.Equal(1u, Assert.Single(client.GatewayRequests(next)).Header.MessageId);
        }
    }

    [Fact]
    public void Recent_ESP_or_IKE_traffic_postpones_the_probe()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            Assert.Equal(IkeSaStep.Nothing, sa.Handle(new PeerActivity(T0.AddSeconds(20), T0.AddSeconds(21))));
            var step = Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(30));
            Assert.Empty(step.Send);
            Assert.Equal(TimeSpan.FromSeconds(20), Assert.Single(step.Timers).After);

            client.Now = T0.AddSeconds(45);
            client.Request(ExchangeType.Informational, []); // the peer's own liveness check counts too
            Assert.Empty(Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(50)).Send);
            Assert.Single(Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(75)).Send);
        }
    }

    [Fact]
    public void Unanswered_probe_is_retransmitted_with_back_off_then_the_SA_turns_dormant_and_keeps_its_children()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var first = Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddSeconds(30));
            var probe = first.Send.Single().Message.ToArray();
            Assert.Equal(TimeSpan.FromSeconds(2), first.Timers.Single(t => t.Key == ResponderOptions.RequestRetransmitTimerKey).After);

            var at = T0.AddSeconds(30);
            foreach (var (wait, next) in new[] { (2, 4), (4, 8), (8, 16) })
            {
                at = at.AddSeconds(wait);
                var again = Fire(sa, ResponderOptions.RequestRetransmitTimerKey, at);
                Assert.Equal(probe, again.Send.Single().Message.ToArray()); // the same request again
                Assert.Equal(TimeSpan.FromSeconds(next), Assert.Single(again.Timers).After);
                Assert.Empty(again.All<LivenessStateChanged>());
            }
            var dormant = Fire(sa, ResponderOptions.RequestRetransmitTimerKey, at.AddSeconds(16));
            Assert.Empty(dormant.Send);
            Assert.Equal(LivenessState.Dormant, dormant.Single<LivenessStateChanged>().State);
            Assert.Contains(dormant.Timers, t => t.Key == ResponderOptions.DormantGraceTimerKey && t.After == TimeSpan.FromMinutes(10));
            Assert.Empty(dormant.All<ChildSaDeleted>());
            Assert.False(dormant.Terminated);
            Assert.Equal(1, sa.ChildSaCount);
            // While dormant no further probes are started.
            Assert.Empty(Fire(sa, ResponderOptions.LivenessTimerKey, at.AddSeconds(60)).Send);
        }
    }

    private static DateTime MakeDormant(IkeSaResponder sa)
    {
        var at = T0.AddSeconds(30);
        Fire(sa, ResponderOptions.LivenessTimerKey, at);
        foreach (var wait in new[] { 2, 4, 8, 16 })
        {
            at = at.AddSeconds(wait);
            Fire(sa, ResponderOptions.RequestRetransmitTimerKey, at);
        }
        Assert.Equal(LivenessState.Dormant, sa.Liveness);
        return at;
    }

    [Fact]
    public void Dormant_peer_returning_from_a_new_address_is_connected_again_with_the_same_child_SPIs()
    {
        var (sa, client, inbound) = Established();
        using (sa)
        using (client)
        {
            var at = MakeDormant(sa);
            client.Now = at.AddMinutes(3);
            var moved = new IPEndPoint(IPAddress.Parse("203.0.113.80"), 4500);
            var round = client.UpdateSaAddresses(moved, new IPEndPoint(client.Gateway.Address, 4500));
            Assert.NotNull(round.Response);
            Assert.Equal(LivenessState.WaitingToReconnect, round.Step.Single<LivenessStateChanged>().State);
            // Our unanswered probe (message ID 0) goes again, to the new address; the return-routability check waits behind it.
            var (probe, _, datagram) = Assert.Single(client.GatewayRequests(round.Step));
            Assert.Equal(0u, probe.MessageId);
            Assert.Equal(moved, datagram.Remote);

            var answered = client.Answer(probe, []);
            Assert.Equal(LivenessState.Connected, answered.Single<LivenessStateChanged>().State);
            Assert.Contains(answered.Timers, t => t.Key == ResponderOptions.DormantGraceTimerKey && t.After is null);
            var (check, payloads, _) = Assert.Single(client.GatewayRequests(answered));
            Assert.Equal(1u, check.MessageId);

            var moveStep = client.Answer(check, payloads);
            var childMoved = moveStep.Single<ChildSaMoved>();
            Assert.Equal(inbound, childMoved.InboundSpi);
            Assert.Equal(moved, childMoved.Remote);
            Assert.True(childMoved.UdpEncapsulated);
            Assert.Equal(LivenessState.Connected, sa.Liveness);
            // A stale grace timer does nothing now.
            Assert.False(Fire(sa, ResponderOptions.DormantGraceTimerKey, at.AddMinutes(10)).Terminated);
            Assert.Equal(1, sa.ChildSaCount);
        }
    }

    [Fact]
    public void Inbound_ESP_from_a_dormant_peer_resends_our_request()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var at = MakeDormant(sa);
            var step = sa.Handle(new PeerActivity(at.AddSeconds(5), at.AddSeconds(6)));
            Assert.Equal(LivenessState.WaitingToReconnect, step.Single<LivenessStateChanged>().State);
            Assert.Equal(0u, Assert.Single(client.GatewayRequests(step)).Header.MessageId);
            // Failing again makes it dormant again, without restarting the grace period.
            var again = at.AddSeconds(6);
            IkeSaStep last = IkeSaStep.Nothing;
            foreach (var wait in new[] { 2, 4, 8, 16 })
                last = Fire(sa, ResponderOptions.RequestRetransmitTimerKey, again = again.AddSeconds(wait));
            Assert.Equal(LivenessState.Dormant, last.Single<LivenessStateChanged>().State);
            Assert.DoesNotContain(last.Timers, t => t.Key == ResponderOptions.DormantGraceTimerKey);
        }
    }

    [Fact]
    public void Grace_period_ending_deletes_the_children_and_closes_the_SA()
    {
        var (sa, client, inbound) = Established(new ResponderOptions { DormantGracePeriod = TimeSpan.FromMinutes(2) });
        using (sa)
        using (client)
        {
            var at = MakeDormant(sa);
            var end = Fire(sa, ResponderOptions.DormantGraceTimerKey, at.AddMinutes(2));
            Assert.True(end.Terminated);
            Assert.Equal(inbound, end.Single<ChildSaDeleted>().InboundSpi);
            Assert.Contains("grace", end.Single<IkeSaClosed>().Reason);
            Assert.Equal(IkeSaPhase.Terminated, sa.Phase);
        }
    }

    [Fact]
    public void Responses_with_unknown_message_IDs_are_dropped()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var step = client.Deliver(client.Seal(ExchangeType.Informational, 7, [], response: true));
            Assert.Equal(IkeDropReason.Unexpected, step.Single<IkeMessageDropped>().Reason);
        }
    }

    [Fact]
    public void Liveness_can_be_disabled()
    {
        var (sa, client, _) = (default(IkeSaResponder)!, default(TestInitiator)!, 0u);
        sa = new TestGateway().NewSa(new ResponderOptions { LivenessInterval = null });
        client = new TestInitiator(sa) { Now = T0 };
        using (sa)
        using (client)
        {
            client.SaInit("aes256-sha256-modp2048");
            var auth = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
                TestInitiator.ChildPayloads("aes256-sha256", 0xABC00001, TestInitiator.AddressRequest()));
            Assert.DoesNotContain(auth.Step.Timers, t => t.Key == ResponderOptions.LivenessTimerKey);
            Assert.Empty(Fire(sa, ResponderOptions.LivenessTimerKey, T0.AddHours(1)).Send);
        }
    }
}
