using System.Net;
using System.Text;
using Gateway.Core.IkeSa;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

public sealed class FailureAndLifecycleTests
{
    private static (TestGateway Gateway, IkeSaResponder Sa, TestInitiator Client) Established(TestGateway? gateway = null)
    {
        gateway ??= new TestGateway();
        var sa = gateway.NewSa();
        var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xABC00001, TestInitiator.AddressRequest())).Step.Single<ChildSaEstablished>();
        return (gateway, sa, client);
    }

    private static void AssertAuthenticationFailed(Round round, IkeSaResponder sa)
    {
        Assert.NotNull(round.Notify(NotifyType.AuthenticationFailed));
        Assert.Null(round.Find<AuthenticationPayload>());
        Assert.True(round.Step.Terminated);
        round.Step.Single<IkeSaClosed>();
        Assert.Empty(round.Step.All<ChildSaEstablished>());
        Assert.Equal(IkeSaPhase.Terminated, sa.Phase);
    }

    [Fact]
    public void Wrong_psk_fails_authentication_and_terminates()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, Encoding.ASCII.GetBytes("wrong"),
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()));
        AssertAuthenticationFailed(round, sa);
    }

    [Fact]
    public void Unknown_psk_identity_fails_the_same_way()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithPsk("nobody.example", TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()));
        AssertAuthenticationFailed(round, sa);
    }

    [Fact]
    public void Wrong_eap_password_gets_EAP_Failure_and_AUTHENTICATION_FAILED()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var rounds = client.AuthenticateWithEap(TestInitiator.Id("alice"), TestGateway.EapUser, "not-the-password",
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()), TestPki.Ca.Certificate);
        var last = rounds[^1];
        var eap = Gateway.Crypto.Eap.EapPacket.Parse(last.Find<EapPayload>()!.Message.Span).Value!;
        Assert.Equal(Gateway.Crypto.Eap.EapCode.Failure, eap.Code);
        AssertAuthenticationFailed(last, sa);
    }

    [Fact]
    public void Untrusted_client_certificate_fails_authentication()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithCertificate(TestPki.ClientUntrusted, TestPki.Ca.Certificate,
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()));
        AssertAuthenticationFailed(round, sa);
    }

    [Fact]
    public void Identity_not_matching_the_certificate_fails_authentication()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithCertificate(TestPki.ClientRsa, TestPki.Ca.Certificate,
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()), idi: TestInitiator.Id("someone-else.example.com"));
        AssertAuthenticationFailed(round, sa);
    }

    [Fact]
    public void Retransmitted_request_gets_the_identical_cached_response_without_a_second_child()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        var (init, _) = client.SaInit("aes256-sha256-modp2048");
        var againInit = client.Deliver(client.InitRequest);
        Assert.Equal(init.Send[0].Message.ToArray(), againInit.Send.Single().Message.ToArray());

        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 1000, TestInitiator.AddressRequest()));
        var again = client.Deliver(round.Request);
        Assert.Equal(round.Step.Send[0].Message.ToArray(), again.Send.Single().Message.ToArray());
        Assert.Empty(again.Events);
        Assert.Equal(1, sa.ChildSaCount);
        Assert.Equal(1, gateway.Services.EspSpisInUse);
    }

    [Fact]
    public void Retransmission_comes_back_to_the_address_it_came_from()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var round = client.Request(ExchangeType.Informational, []);
            client.Client = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 4500);
            var again = client.Deliver(round.Request);
            Assert.Equal(client.Client, again.Send.Single().Remote);
        }
    }

    [Fact]
    public void Out_of_window_message_ids_are_dropped()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var tooNew = client.Deliver(client.Seal(ExchangeType.Informational, client.NextMessageId + 1, []));
            Assert.Empty(tooNew.Send);
            Assert.Equal(IkeDropReason.OutOfWindow, tooNew.Single<IkeMessageDropped>().Reason);
            var old = client.Deliver(client.Seal(ExchangeType.Informational, 0, []));
            Assert.Empty(old.Send);
            Assert.Equal(2, sa.DroppedMessages);
            // The window did not move: the expected ID still works.
            Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
        }
    }

    [Fact]
    public void Tampered_SK_message_is_dropped_without_response_and_counted()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var bytes = client.Seal(ExchangeType.Informational, client.NextMessageId, []);
            bytes[^1] ^= 0x01;
            var step = client.Deliver(bytes);
            Assert.Empty(step.Send);
            Assert.Equal(IkeDropReason.IntegrityFailure, step.Single<IkeMessageDropped>().Reason);
            Assert.Equal(1, sa.IntegrityFailures);
            Assert.Equal(IkeSaPhase.Established, sa.Phase);
        }
    }

    [Fact]
    public void Empty_informational_is_a_liveness_check_answered_empty()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var round = client.Request(ExchangeType.Informational, []);
            Assert.Empty(round.Response!);
            Assert.False(round.Step.Terminated);
        }
    }

    [Fact]
    public void Unknown_notifies_in_informational_are_ignored()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var round = client.Request(ExchangeType.Informational, [new NotifyPayload(ProtocolId.None, default, 40000, new byte[] { 1, 2 })]);
            Assert.Empty(round.Response!);
        }
    }

    [Fact]
    public void Delete_of_a_child_is_answered_with_our_spi()
    {
        var (gateway, sa, client) = Established();
        using (sa)
        using (client)
        {
            var round = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [0xABC00001u])]);
            var deleted = round.Step.Single<ChildSaDeleted>();
            var answer = Assert.IsType<DeletePayload>(Assert.Single(round.Response!));
            Assert.Equal(ProtocolId.Esp, answer.Protocol);
            Assert.Equal(deleted.InboundSpi, Assert.Single(answer.Spis));
            Assert.Equal(0, sa.ChildSaCount);
            Assert.Equal(0, gateway.Services.EspSpisInUse);
            Assert.False(round.Step.Terminated);
        }
    }

    [Fact]
    public void Delete_of_the_IKE_SA_closes_everything()
    {
        var (gateway, sa, client) = Established();
        using (sa)
        using (client)
        {
            var round = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
            Assert.Empty(round.Response!);
            round.Step.Single<ChildSaDeleted>();
            round.Step.Single<IkeSaClosed>();
            Assert.True(round.Step.Terminated);
            Assert.Equal(0, gateway.Services.EspSpisInUse);
            Assert.Same(IkeSaStep.Nothing, sa.Handle(new TimerFired(ResponderOptions.HalfOpenTimerKey, DateTime.UtcNow)));
        }
    }

    [Fact]
    public void Half_open_timeout_terminates_silently()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        using var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var step = sa.Handle(new TimerFired(ResponderOptions.HalfOpenTimerKey, DateTime.UtcNow.AddSeconds(31)));
        Assert.True(step.Terminated);
        Assert.Empty(step.Send);
        step.Single<IkeSaClosed>();
    }

    [Fact]
    public void Half_open_timer_is_ignored_once_established()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
            Assert.False(sa.Handle(new TimerFired(ResponderOptions.HalfOpenTimerKey, DateTime.UtcNow)).Terminated);
    }

    [Fact]
    public void Close_requested_sends_a_delete_request_and_terminates()
    {
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var step = sa.Handle(new CloseRequested("operator", DateTime.UtcNow));
            Assert.True(step.Terminated);
            step.Single<ChildSaDeleted>();
            var (header, payloads) = client.Open(step.Send.Single().Message);
            Assert.False(header.IsResponse);
            Assert.Equal(ExchangeType.Informational, header.ExchangeType);
            Assert.Equal(0u, header.MessageId);
            Assert.Equal(ProtocolId.Ike, Assert.IsType<DeletePayload>(Assert.Single(payloads)).Protocol);
        }
    }

    [Fact]
    public void Authenticated_request_from_a_new_address_is_answered_there_but_does_not_move_a_MOBIKE_SA()
    {
        // RFC 4555 §3.5: with MOBIKE only UPDATE_SA_ADDRESSES moves the SA (MobilityTests cover the move itself).
        var (_, sa, client) = Established();
        using (sa)
        using (client)
        {
            var original = sa.Remote;
            var moved = new IPEndPoint(IPAddress.Parse("203.0.113.50"), 4500);
            client.Client = moved;
            var round = client.Request(ExchangeType.Informational, []);
            Assert.Equal(moved, round.Step.Send.Single().Remote);
            Assert.Equal(original, sa.Remote);
            Assert.Empty(round.Step.All<PeerAddressChanged>());
            var forged = client.Seal(ExchangeType.Informational, client.NextMessageId, []);
            forged[^2] ^= 0xFF;
            client.Client = new IPEndPoint(IPAddress.Parse("203.0.113.66"), 4500);
            client.Deliver(forged);
            Assert.Equal(original, sa.Remote);
        }
    }

    [Fact]
    public void Garbage_first_message_terminates_without_answer()
    {
        var gateway = new TestGateway();
        using var sa = gateway.NewSa();
        var step = sa.Handle(new MessageReceived(new Transport.IkeDatagram(new byte[10], new IPEndPoint(IPAddress.Loopback, 500),
            new IPEndPoint(IPAddress.Loopback, 500)), DateTime.UtcNow));
        Assert.True(step.Terminated);
        Assert.Empty(step.Send);
    }

    [Fact]
    public void Address_pool_exhaustion_gets_INTERNAL_ADDRESS_FAILURE()
    {
        var pools = new Policy.AddressPools(IPNetwork.Parse("10.77.0.0/30"), null, []);
        var gateway = new TestGateway(TestGateway.CreatePolicy(pools: pools));
        var (_, first, c1) = Established(gateway);
        using (first)
        using (c1)
        {
            using var sa = gateway.NewSa();
            using var client = new TestInitiator(sa);
            client.SaInit("aes256-sha256-modp2048");
            var round = client.AuthenticateWithCertificate(TestPki.ClientRsa, TestPki.Ca.Certificate,
                TestInitiator.ChildPayloads("aes256-sha256", 77, TestInitiator.AddressRequest(v6: false)));
            Assert.NotNull(round.Notify(NotifyType.InternalAddressFailure));
            Assert.Empty(round.Step.All<ChildSaEstablished>());
            Assert.Empty(round.Step.Single<IkeSaEstablished>().VirtualAddresses);
        }
    }
}
