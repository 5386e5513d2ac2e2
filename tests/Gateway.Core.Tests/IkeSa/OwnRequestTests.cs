using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>
/// The one tracker of our own requests (liveness, return routability, rekeys, deletes) across the features that
/// share it: one message-ID counter, window 1 with a queue, header flags after an IKE SA rekey.
/// </summary>
public sealed class OwnRequestTests
{
    private const uint ClientSpi = 0xABC00001;

    private static (IkeSaResponder Sa, TestInitiator Client, Gateway.Core.DataPlane.ChildSaInstallation Child) Established(ResponderOptions? options = null)
    {
        var gateway = new TestGateway();
        var sa = new IkeSaResponder(0x1234_5678_9abc_0001, gateway.Policy, gateway.Services, options);
        var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", ClientSpi, TestInitiator.AddressRequest(v6: false)));
        return (sa, client, round.Step.Single<ChildSaEstablished>().Sa);
    }

    [Fact]
    public void After_our_IKE_SA_rekey_our_requests_carry_the_I_flag_our_SPI_as_initiator_SPI_and_IDs_from_0()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var fired = sa.Handle(new TimerFired("ike-rekey", client.Now));
            var (answered, old) = client.AnswerIkeRekey(Assert.Single(fired.Send), 0x1111222233334444);
            var rekeyed = answered.Single<IkeSaRekeyed>();
            var deleteOld = Assert.Single(answered.Send);
            var current = client.Use(old);
            client.Answer(deleteOld, (_, _) => []);
            client.Use(current);

            var probe = sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, client.Now.AddHours(1)));
            var (header, payloads) = client.Open(Assert.Single(probe.Send).Message);
            Assert.True(header.IsInitiator);
            Assert.False(header.IsResponse);
            Assert.Equal(rekeyed.LocalSpi, header.InitiatorSpi);
            Assert.Equal(0x1111222233334444ul, header.ResponderSpi);
            Assert.Equal(0u, header.MessageId); // IDs restart on the new SA; the old one's Delete used the old SA's
            Assert.Empty(payloads);

            // The answer (I flag clear: the client is not the original initiator any more) is accepted.
            var answer = client.Answer(header, []);
            Assert.Empty(answer.All<IkeMessageDropped>());
            Assert.Contains(answer.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey && t.After is null);
            Assert.Equal(LivenessState.Connected, sa.Liveness);
        }
    }

    [Fact]
    public void A_rekey_waits_behind_an_outstanding_probe_and_goes_out_with_the_next_message_ID_when_it_is_answered()
    {
        var (sa, client, child) = Established();
        using (sa)
        using (client)
        {
            var probeStep = sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, client.Now.AddHours(1)));
            var (probe, _) = client.Open(Assert.Single(probeStep.Send).Message);
            Assert.Equal(0u, probe.MessageId);

            // Window 1: the child rekey is queued, nothing goes out.
            Assert.Empty(sa.Handle(new TimerFired($"child-soft:{child.InboundSpi:x8}", client.Now)).Send);

            var answered = client.Answer(probe, []);
            var rekey = Assert.Single(answered.Send);
            var (rekeyHeader, _) = client.Open(rekey.Message);
            Assert.Equal(ExchangeType.CreateChildSa, rekeyHeader.ExchangeType);
            Assert.Equal(1u, rekeyHeader.MessageId);
            Assert.False(rekeyHeader.IsInitiator);

            var (done, _, _, _, _) = client.AnswerChildRekey(rekey, 0xABC00002);
            Assert.Equal(child.InboundSpi, done.Single<ChildSaRekeyed>().OldInboundSpi);
            var (deleteHeader, _) = client.Open(Assert.Single(done.Send).Message); // then the old child's Delete
            Assert.Equal(2u, deleteHeader.MessageId);
        }
    }

    [Fact]
    public void The_peers_IKE_SA_rekey_is_refused_while_our_probe_is_outstanding()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            Assert.Single(sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, client.Now.AddHours(1))).Send);
            var (round, old, _) = client.RekeyIkeSa("aes256-sha256-modp2048");
            Assert.Null(old);
            Assert.NotNull(round.Notify(NotifyType.TemporaryFailure));
            Assert.Empty(round.Step.All<IkeSaRekeyed>());
        }
    }
}
