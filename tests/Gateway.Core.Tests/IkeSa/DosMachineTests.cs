using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>INITIAL_CONTACT, silent discard and redirect of an established SA in the pure machine.</summary>
public sealed class DosMachineTests
{
    private static readonly GatewayIdentity Peer = GatewayIdentity.FromFqdn("vpn2.example.com");

    private static Round Establish(TestInitiator client)
    {
        client.SaInit("aes128gcm16-prfsha256-x25519");
        return client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256gcm16", 0xC0DE0001, TestInitiator.AddressRequest(v6: false)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void INITIAL_CONTACT_in_IKE_AUTH_is_reported_with_the_identity(bool sent)
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa) { SendInitialContact = sent };

        var round = Establish(client);

        round.Step.Single<IkeSaEstablished>();
        Assert.Equal(sent ? [TestGateway.PskIdentity] : [], round.Step.All<InitialContactReceived>().Select(e => e.PeerIdentity));
    }

    [Fact]
    public void A_discarded_SA_ends_and_removes_its_children_without_a_word_to_the_peer()
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa);
        Establish(client);

        var step = sa.Handle(new DiscardRequested("replaced", DateTime.UtcNow));

        Assert.Empty(step.Send);
        Assert.True(step.Terminated);
        step.Single<ChildSaDeleted>();
        Assert.Equal(IkeSaPhase.Terminated, sa.Phase);
    }

    [Fact]
    public void Redirect_is_refused_without_REDIRECT_SUPPORTED_and_before_establishment()
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa) { AnnounceRedirectSupport = true };
        client.SaInit("aes128gcm16-prfsha256-x25519");
        Assert.Equal(RedirectOutcome.NotEstablished, sa.Handle(new RedirectRequested(Peer, DateTime.UtcNow)).Single<RedirectAnswered>().Outcome);

        using var legacySa = new TestGateway().NewSa();
        using var legacy = new TestInitiator(legacySa);
        Establish(legacy);
        var refused = legacySa.Handle(new RedirectRequested(Peer, DateTime.UtcNow));
        Assert.Equal(RedirectOutcome.PeerLacksRedirectSupport, refused.Single<RedirectAnswered>().Outcome);
        Assert.Empty(refused.Send);
    }

    [Fact]
    public void The_redirect_request_is_retransmitted_with_the_trackers_back_off_until_answered_and_the_SA_is_deleted_at_the_deadline()
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa) { AnnounceRedirectSupport = true };
        Establish(client);
        Assert.True(sa.PeerSupportsRedirect);

        var step = sa.Handle(new RedirectRequested(Peer, DateTime.UtcNow));
        Assert.Equal(RedirectOutcome.Sent, step.Single<RedirectAnswered>().Outcome);
        var request = Assert.Single(step.Send).Message.ToArray();
        Assert.Contains(step.Timers, t => t.Key == ResponderOptions.RedirectDeadlineTimerKey && t.After == ResponderOptions.Default.RedirectTimeout);
        // One of our own requests: the shared tracker's timer and back-off.
        var intervals = ResponderOptions.Default.RetransmitIntervals;
        Assert.Contains(step.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey && t.After == intervals[0]);

        var again = sa.Handle(new TimerFired(ResponderOptions.RequestRetransmitTimerKey, DateTime.UtcNow));
        Assert.Equal(request, Assert.Single(again.Send).Message.ToArray());
        Assert.Contains(again.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey && t.After == intervals[1]);

        // The client's (authenticated) answer stops the retransmissions.
        var (header, _) = client.Open(request);
        var answered = client.Deliver(client.Seal(ExchangeType.Informational, header.MessageId, [], response: true));
        Assert.Empty(answered.Send);
        Assert.Empty(answered.Events);
        Assert.Empty(sa.Handle(new TimerFired(ResponderOptions.RequestRetransmitTimerKey, DateTime.UtcNow)).Send);

        // The client never deleted the SA: at the deadline we delete it (and tell the client).
        var deadline = sa.Handle(new TimerFired(ResponderOptions.RedirectDeadlineTimerKey, DateTime.UtcNow));
        Assert.True(deadline.Terminated);
        var (_, payloads) = client.Open(Assert.Single(deadline.Send).Message);
        Assert.Equal(ProtocolId.Ike, Assert.IsType<DeletePayload>(Assert.Single(payloads)).Protocol);
    }

    [Fact]
    public void A_redirect_waits_behind_our_outstanding_probe_and_takes_the_next_message_ID_from_the_same_counter()
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa) { AnnounceRedirectSupport = true };
        Establish(client);
        var probeStep = sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, client.Now.AddHours(1)));
        var (probe, _) = client.Open(Assert.Single(probeStep.Send).Message);

        // Window 1: accepted, but nothing goes out while the probe is outstanding.
        var step = sa.Handle(new RedirectRequested(Peer, client.Now));
        Assert.Equal(RedirectOutcome.Sent, step.Single<RedirectAnswered>().Outcome);
        Assert.Empty(step.Send);

        var afterProbe = client.Answer(probe, []);
        var (header, payloads) = client.Open(Assert.Single(afterProbe.Send).Message);
        Assert.Equal(ExchangeType.Informational, header.ExchangeType);
        Assert.Equal(probe.MessageId + 1, header.MessageId);
        var notify = Assert.IsType<NotifyPayload>(Assert.Single(payloads));
        Assert.True(notify.TryGetRedirect(out var gateway, out var nonce));
        Assert.Equal(Peer.Value.ToArray(), gateway.Value.ToArray());
        Assert.True(nonce.IsEmpty); // no nonce in an established SA (RFC 5685 §5)
    }

    [Fact]
    public void The_client_deleting_the_redirected_SA_ends_it_before_the_deadline()
    {
        using var sa = new TestGateway().NewSa();
        using var client = new TestInitiator(sa) { AnnounceRedirectSupport = true };
        Establish(client);
        var (header, _) = client.Open(Assert.Single(sa.Handle(new RedirectRequested(Peer, DateTime.UtcNow)).Send).Message);
        client.Answer(header, []);

        var delete = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);

        Assert.NotNull(delete.Response);
        Assert.True(delete.Step.Terminated);
        Assert.Empty(sa.Handle(new TimerFired(ResponderOptions.RedirectDeadlineTimerKey, DateTime.UtcNow)).Send);
    }
}
