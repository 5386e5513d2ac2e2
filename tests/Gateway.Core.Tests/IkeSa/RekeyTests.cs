using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

public sealed class RekeyTests
{
    private const uint ClientSpi = 0xABC00001;

    /// <summary>An established SA (PSK, aes256-sha256-modp2048, first child aes256-sha256) and its first child as installed.</summary>
    private static (TestGateway Gateway, IkeSaResponder Sa, TestInitiator Client, Gateway.Core.DataPlane.ChildSaInstallation Child, IkeSaStep Step)
        Established(ResponderOptions? options = null, GatewayPolicy? policy = null)
    {
        var gateway = new TestGateway(policy);
        var sa = new IkeSaResponder(BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) | 1,
            gateway.Policy, gateway.Services, options);
        var client = new TestInitiator(sa);
        client.SaInit("aes256-sha256-modp2048");
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", ClientSpi, TestInitiator.AddressRequest(v6: false)));
        return (gateway, sa, client, round.Step.Single<ChildSaEstablished>().Sa, round.Step);
    }

    private static void AssertKeys(Gateway.Core.DataPlane.ChildSaInstallation sa, Gateway.Crypto.Prf.ChildSaKeys keys, bool peerInitiated)
    {
        var (inEnc, inInt, outEnc, outInt) = peerInitiated
            ? (keys.EncryptionInitiatorToResponder, keys.IntegrityInitiatorToResponder, keys.EncryptionResponderToInitiator, keys.IntegrityResponderToInitiator)
            : (keys.EncryptionResponderToInitiator, keys.IntegrityResponderToInitiator, keys.EncryptionInitiatorToResponder, keys.IntegrityInitiatorToResponder);
        Assert.Equal(inEnc, sa.InboundEncryptionKey);
        Assert.Equal(inInt, sa.InboundIntegrityKey);
        Assert.Equal(outEnc, sa.OutboundEncryptionKey);
        Assert.Equal(outInt, sa.OutboundIntegrityKey);
    }

    private static Round DeleteChild(TestInitiator client, uint ourSpi) =>
        client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [ourSpi])]);

    [Theory]
    [InlineData(null)]
    [InlineData(KeyExchangeGroup.Curve25519)]
    [InlineData(KeyExchangeGroup.Modp2048)]
    public void Peer_rekeys_a_child_keys_match_and_the_old_inbound_SA_stays_until_the_peer_deletes_it(KeyExchangeGroup? pfs)
    {
        var (gateway, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            var (round, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi, pfs));
            Assert.Null(round.Response!.OfType<NotifyPayload>().FirstOrDefault(n => n.IsError));
            Assert.Equal(pfs, round.Find<KeyExchangePayload>()?.Group);
            var rekeyed = round.Step.Single<ChildSaRekeyed>();
            Assert.Equal(first.InboundSpi, rekeyed.OldInboundSpi);
            Assert.Equal(0xABC00002u, rekeyed.NewSa.OutboundSpi);
            Assert.Equal(first.RemoteInnerAddresses, rekeyed.NewSa.RemoteInnerAddresses);
            AssertKeys(rekeyed.NewSa, keys!, peerInitiated: true);
            Assert.NotEqual(first.InboundEncryptionKey, rekeyed.NewSa.InboundEncryptionKey);
            Assert.Empty(round.Step.All<ChildSaDeleted>());
            Assert.Equal(2, sa.ChildSaCount);
            Assert.Equal(1, sa.ActiveChildSaCount);

            var delete = DeleteChild(client, ClientSpi);
            Assert.Equal(first.InboundSpi, delete.Step.Single<ChildSaDeleted>().InboundSpi);
            Assert.Equal([first.InboundSpi], delete.Find<DeletePayload>()!.Spis);
            Assert.Equal(1, sa.ChildSaCount);
            Assert.Equal(1, gateway.Services.EspSpisInUse);
            Assert.Equal([rekeyed.NewSa.InboundSpi], sa.ActiveChildSaSpis);
        }
    }

    [Fact]
    public void Pfs_with_a_KE_payload_of_another_group_gets_INVALID_KE_PAYLOAD_naming_the_chosen_group()
    {
        var (gateway, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            var (round, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi,
                pfs: KeyExchangeGroup.Curve25519, sendKeGroup: KeyExchangeGroup.Ecp256));
            Assert.Null(keys);
            Assert.True(round.Notify(NotifyType.InvalidKePayload)!.TryGetInvalidKeGroup(out var wanted));
            Assert.Equal(KeyExchangeGroup.Curve25519, wanted);
            Assert.Empty(round.Step.All<ChildSaRekeyed>());
            Assert.Equal(1, gateway.Services.EspSpisInUse);
        }
    }

    [Fact]
    public void Peer_creates_an_additional_child_SA_with_narrowed_selectors()
    {
        var (gateway, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            var (round, keys) = client.CreateChild(TestInitiator.OfferChild("aes128-sha1", 0xABC00003, rekeySpi: null));
            var added = round.Step.Single<ChildSaEstablished>().Sa;
            AssertKeys(added, keys!, peerInitiated: true);
            Assert.Equal(first.RemoteInnerAddresses, added.RemoteInnerAddresses);
            var tsi = round.Response!.OfType<TrafficSelectorPayload>().Single(t => t.IsInitiator);
            Assert.Equal(first.RemoteInnerAddresses[0], Assert.Single(tsi.Selectors).Start);
            Assert.Equal(2, sa.ActiveChildSaCount);
            Assert.Equal(2, gateway.Services.EspSpisInUse);
        }
    }

    [Fact]
    public void Additional_child_SAs_are_refused_when_policy_says_so()
    {
        var (_, sa, client, _, _) = Established(new ResponderOptions { Rekey = new RekeyOptions { AllowAdditionalChildSas = false } });
        using (sa)
        using (client)
        {
            var (round, _) = client.CreateChild(TestInitiator.OfferChild("aes128-sha1", 0xABC00003, rekeySpi: null));
            Assert.NotNull(round.Notify(NotifyType.NoAdditionalSas));
        }
    }

    [Fact]
    public void Retransmitted_CREATE_CHILD_SA_gets_the_cached_response_and_no_second_SA()
    {
        var (gateway, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            var (round, _) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi, KeyExchangeGroup.Curve25519));
            var again = client.Deliver(round.Request);
            Assert.Equal(round.Step.Send[0].Message.ToArray(), again.Send.Single().Message.ToArray());
            Assert.Empty(again.Events);
            Assert.Equal(2, gateway.Services.EspSpisInUse);
        }
    }

    [Fact]
    public void Rekeying_an_unknown_child_gets_CHILD_SA_NOT_FOUND()
    {
        var (_, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            var (round, _) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, 0x12345678));
            Assert.NotNull(round.Notify(NotifyType.ChildSaNotFound));
        }
    }

    [Fact]
    public void Peer_rekeys_the_IKE_SA_new_keys_per_2_18_later_messages_use_the_new_SPIs_and_children_survive()
    {
        var (gateway, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            ulong oldSpiR = sa.ResponderSpi;
            var (round, old, independent) = client.RekeyIkeSa("aes256-sha256-modp2048");
            Assert.NotNull(old);
            var rekeyed = round.Step.Single<IkeSaRekeyed>();
            Assert.Equal(client.SpiI, rekeyed.NewInitiatorSpi);
            Assert.Equal(client.SpiR, rekeyed.NewResponderSpi);
            Assert.False(rekeyed.LocalIsOriginalInitiator);
            Assert.Equal(client.SpiR, sa.LocalSpi);
            Assert.NotEqual(oldSpiR, sa.LocalSpi);

            // The new SA works with message ID 0 (liveness), and children are made from the new SK_d.
            client.NextMessageId = 0;
            var liveness = client.Request(ExchangeType.Informational, []);
            Assert.NotNull(liveness.Response);
            var (childRound, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi));
            AssertKeys(childRound.Step.Single<ChildSaRekeyed>().NewSa, keys!, peerInitiated: true);
            Assert.Equal(independent!.SkD, client.Keys!.SkD);

            // The peer deletes the old IKE SA on the old SPIs: only that SA goes.
            var current = client.Use(old!);
            var delete = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
            Assert.NotNull(delete.Response);
            Assert.Equal(oldSpiR, delete.Step.Single<IkeSaSpiRetired>().LocalSpi);
            Assert.False(delete.Step.Terminated);
            Assert.Empty(delete.Step.All<ChildSaDeleted>());
            client.Use(current);
            Assert.Equal(IkeSaPhase.Established, sa.Phase);
            Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
            Assert.Equal(2, sa.ChildSaCount);
            _ = first;
            _ = gateway;
        }
    }

    private static string Key(IkeSaStep step, string prefix) => step.Timers.Single(t => t.Key.StartsWith(prefix, StringComparison.Ordinal) && t.After is not null).Key;

    [Fact]
    public void Soft_lifetime_makes_us_rekey_the_child_then_delete_the_old_one_after_the_peer_answers()
    {
        var (gateway, sa, client, first, established) = Established();
        using (sa)
        using (client)
        {
            var soft = established.Timers.Single(t => t.Key == $"child-soft:{first.InboundSpi:x8}");
            Assert.InRange(soft.After!.Value, TimeSpan.FromMinutes(54), TimeSpan.FromHours(1));
            Assert.Contains(established.Timers, t => t.Key == $"child-hard:{first.InboundSpi:x8}" && t.After == TimeSpan.FromMinutes(66));
            Assert.Contains(established.Timers, t => t.Key == "ike-rekey" && t.After <= TimeSpan.FromHours(4));

            var fired = sa.Handle(new TimerFired(soft.Key, client.Now));
            var request = Assert.Single(fired.Send);
            Assert.Contains(fired.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey);
            var (answered, keys, ourSpi, _, _) = client.AnswerChildRekey(request, 0xABC00002);
            var rekeyed = answered.Single<ChildSaRekeyed>();
            Assert.Equal(first.InboundSpi, rekeyed.OldInboundSpi);
            Assert.Equal(ourSpi, rekeyed.NewSa.OutboundSpi);
            AssertKeys(rekeyed.NewSa, keys, peerInitiated: false);
            Assert.Empty(answered.All<ChildSaDeleted>());

            // Right after, we ask the peer to delete the old pair; it goes once the peer answered.
            var deleteRequest = Assert.Single(answered.Send);
            var done = client.Answer(deleteRequest, (header, payloads) =>
            {
                Assert.Equal(ExchangeType.Informational, header.ExchangeType);
                Assert.Equal([first.InboundSpi], payloads.OfType<DeletePayload>().Single().Spis);
                return [new DeletePayload(ProtocolId.Esp, [ClientSpi])];
            });
            Assert.Equal(first.InboundSpi, done.Single<ChildSaDeleted>().InboundSpi);
            Assert.Equal(1, sa.ChildSaCount);
            Assert.Equal(1, gateway.Services.EspSpisInUse);
        }
    }

    [Fact]
    public void Soft_byte_lifetime_makes_us_rekey_with_PFS_when_configured_and_hard_bytes_delete()
    {
        var options = new ResponderOptions { Rekey = new RekeyOptions { ChildSoftBytes = 1_000_000, ChildHardBytes = 2_000_000, ChildRekeyPfsGroup = KeyExchangeGroup.Curve25519 } };
        var (_, sa, client, first, _) = Established(options);
        using (sa)
        using (client)
        {
            Assert.Empty(sa.Handle(new ChildSaTraffic(first.InboundSpi, 999_999, client.Now)).Send);
            var fired = sa.Handle(new ChildSaTraffic(first.InboundSpi, 1_000_001, client.Now));
            var (answered, keys, _, _, _) = client.AnswerChildRekey(Assert.Single(fired.Send), 0xABC00002);
            var rekeyed = answered.Single<ChildSaRekeyed>();
            AssertKeys(rekeyed.NewSa, keys, peerInitiated: false);
            client.Answer(Assert.Single(answered.Send), (_, _) => [new DeletePayload(ProtocolId.Esp, [ClientSpi])]);

            var hard = sa.Handle(new ChildSaTraffic(rekeyed.NewSa.InboundSpi, 2_000_000, client.Now));
            Assert.Equal(rekeyed.NewSa.InboundSpi, hard.Single<ChildSaDeleted>().InboundSpi);
            Assert.Single(hard.Send);
            Assert.Equal(0, sa.ChildSaCount);
        }
    }

    [Fact]
    public void Hard_lifetime_deletes_the_child_and_tells_the_peer()
    {
        var (gateway, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            var hard = sa.Handle(new TimerFired($"child-hard:{first.InboundSpi:x8}", client.Now));
            Assert.Equal(first.InboundSpi, hard.Single<ChildSaDeleted>().InboundSpi);
            Assert.Equal(0, gateway.Services.EspSpisInUse);
            var answered = client.Answer(Assert.Single(hard.Send), (header, payloads) =>
            {
                Assert.Equal([first.InboundSpi], payloads.OfType<DeletePayload>().Single().Spis);
                return [new DeletePayload(ProtocolId.Esp, [ClientSpi])];
            });
            Assert.Empty(answered.Events);
            Assert.False(answered.Terminated);
        }
    }

    [Fact]
    public void Our_requests_are_retransmitted_with_back_off_and_an_unanswered_peer_is_closed()
    {
        // One tracker for all our requests: the back-off of ResponderOptions.RetransmitIntervals; when it runs out the
        // peer is dormant (kept for the grace period, it may come back), and the end of the grace period closes it.
        var (_, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            var fired = sa.Handle(new TimerFired($"child-soft:{first.InboundSpi:x8}", client.Now));
            var original = Assert.Single(fired.Send).Message.ToArray();
            var delays = new List<TimeSpan> { fired.Timers.Single(t => t.Key == ResponderOptions.RequestRetransmitTimerKey).After!.Value };
            for (int i = 1; i < ResponderOptions.Default.RetransmitIntervals.Count; i++)
            {
                var again = sa.Handle(new TimerFired(ResponderOptions.RequestRetransmitTimerKey, client.Now));
                Assert.Equal(original, Assert.Single(again.Send).Message.ToArray());
                delays.Add(again.Timers.Single(t => t.Key == ResponderOptions.RequestRetransmitTimerKey).After!.Value);
            }
            Assert.Equal(ResponderOptions.Default.RetransmitIntervals, delays);
            var last = sa.Handle(new TimerFired(ResponderOptions.RequestRetransmitTimerKey, client.Now));
            Assert.False(last.Terminated);
            Assert.Equal(LivenessState.Dormant, last.Single<LivenessStateChanged>().State);
            var grace = last.Timers.Single(t => t.Key == ResponderOptions.DormantGraceTimerKey);
            Assert.Equal(ResponderOptions.Default.DormantGracePeriod, grace.After);

            var closed = sa.Handle(new TimerFired(ResponderOptions.DormantGraceTimerKey, client.Now));
            Assert.True(closed.Terminated);
            Assert.Equal(first.InboundSpi, closed.Single<ChildSaDeleted>().InboundSpi);
        }
    }

    [Fact]
    public void IKE_SA_lifetime_makes_us_rekey_it_we_become_original_initiator_and_delete_the_old_one()
    {
        var (_, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            ulong oldLocal = sa.LocalSpi;
            var fired = sa.Handle(new TimerFired("ike-rekey", client.Now));
            var (answered, old) = client.AnswerIkeRekey(Assert.Single(fired.Send), 0x1111222233334444);
            var rekeyed = answered.Single<IkeSaRekeyed>();
            Assert.True(rekeyed.LocalIsOriginalInitiator);
            Assert.Equal(0x1111222233334444ul, rekeyed.NewResponderSpi);
            Assert.Equal(rekeyed.LocalSpi, sa.LocalSpi);
            Assert.Equal(sa.InitiatorSpi, sa.LocalSpi);

            // The Delete of the old IKE SA goes on the old SA right away.
            var deleteOld = Assert.Single(answered.Send);
            var current = client.Use(old);
            var retired = client.Answer(deleteOld, (header, payloads) =>
            {
                Assert.Equal(ProtocolId.Ike, payloads.OfType<DeletePayload>().Single().Protocol);
                return [];
            });
            Assert.Equal(oldLocal, retired.Single<IkeSaSpiRetired>().LocalSpi);
            client.Use(current);

            // On the new SA we are the responder now: our requests carry no I flag, and children are still there.
            client.NextMessageId = 0;
            Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
            var (childRound, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi));
            AssertKeys(childRound.Step.Single<ChildSaRekeyed>().NewSa, keys!, peerInitiated: true);
        }
    }

    [Fact]
    public void A_child_rekey_while_our_IKE_SA_rekey_is_on_the_wire_gets_TEMPORARY_FAILURE()
    {
        var (_, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            Assert.Single(sa.Handle(new TimerFired("ike-rekey", client.Now)).Send);
            var (round, keys) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi));
            Assert.Null(keys);
            Assert.NotNull(round.Notify(NotifyType.TemporaryFailure));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Simultaneous_child_rekeys_leave_exactly_one_new_SA(bool gatewayLoses)
    {
        var (gateway, sa, client, first, _) = Established();
        using (sa)
        using (client)
        {
            var lowest = new byte[32]; // all zero: lower than any random nonce
            // The gateway starts its rekey (exchange a) ...
            var ours = Assert.Single(sa.Handle(new TimerFired($"child-soft:{first.InboundSpi:x8}", client.Now)).Send);
            // ... and the client its own (exchange b) before answering a.
            var (theirRound, _) = client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi,
                nonce: gatewayLoses ? null : lowest));
            var b = theirRound.Step.Single<ChildSaRekeyed>().NewSa;
            // Now the client answers a (creating A on its side).
            var (answered, _, _, _, _) = client.AnswerChildRekey(ours, 0xABC00003, nonce: gatewayLoses ? lowest : null);

            uint survivorInbound;
            if (gatewayLoses)
            {
                // A holds the lowest nonce: the gateway never installs it and deletes it; the client deletes the old SA.
                Assert.Empty(answered.All<ChildSaRekeyed>());
                var deleteA = Assert.Single(answered.Send);
                client.Answer(deleteA, (_, payloads) =>
                {
                    Assert.DoesNotContain(payloads.OfType<DeletePayload>().Single().Spis, s => s == first.InboundSpi || s == b.InboundSpi);
                    return [new DeletePayload(ProtocolId.Esp, [0xABC00003])];
                });
                Assert.Equal(first.InboundSpi, DeleteChild(client, ClientSpi).Step.Single<ChildSaDeleted>().InboundSpi);
                survivorInbound = b.InboundSpi;
            }
            else
            {
                // B holds the lowest nonce: A is installed, the gateway deletes the old SA, the client deletes B.
                var a = answered.Single<ChildSaRekeyed>().NewSa;
                client.Answer(Assert.Single(answered.Send), (_, payloads) =>
                {
                    Assert.Equal([first.InboundSpi], payloads.OfType<DeletePayload>().Single().Spis);
                    return [new DeletePayload(ProtocolId.Esp, [ClientSpi])];
                });
                Assert.Equal(b.InboundSpi, DeleteChild(client, 0xABC00002).Step.Single<ChildSaDeleted>().InboundSpi);
                survivorInbound = a.InboundSpi;
            }
            Assert.Equal([survivorInbound], sa.ActiveChildSaSpis);
            Assert.Equal(1, sa.ChildSaCount);
            Assert.Equal(1, gateway.Services.EspSpisInUse);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Simultaneous_IKE_SA_rekeys_leave_one_new_IKE_SA_and_every_other_is_deleted(bool gatewayLoses)
    {
        var (_, sa, client, _, _) = Established();
        using (sa)
        using (client)
        {
            var lowest = new byte[32];
            ulong oldLocal = sa.LocalSpi;
            // The gateway starts its IKE SA rekey (a), then the client its own (b), answered in the collision.
            var a = Assert.Single(sa.Handle(new TimerFired("ike-rekey", client.Now)).Send);
            var (theirRound, oldSa, _) = client.RekeyIkeSa("aes256-sha256-modp2048", nonce: gatewayLoses ? null : lowest);
            Assert.Empty(theirRound.Step.All<IkeSaRekeyed>());
            ulong bLocal = theirRound.Step.Single<IkeSaSpiAdded>().LocalSpi;
            Assert.Equal(oldLocal, sa.LocalSpi);
            var b = client.Use(oldSa!);
            // The client answers a on the old SA (and so holds A too).
            var (answered, _) = client.AnswerIkeRekey(a, 0x5555666677778888, nonce: gatewayLoses ? lowest : null);
            var aSa = client.Current;
            var rekeyed = answered.Single<IkeSaRekeyed>();
            if (gatewayLoses)
            {
                // A is redundant: B becomes current, the gateway deletes A; the client (B's initiator) deletes the old one.
                Assert.False(rekeyed.LocalIsOriginalInitiator);
                Assert.Equal(bLocal, sa.LocalSpi);
                ulong aLocal = answered.Single<IkeSaSpiAdded>().LocalSpi;
                var retiredA = client.Answer(Assert.Single(answered.Send), (_, p) => { Assert.Equal(ProtocolId.Ike, p.OfType<DeletePayload>().Single().Protocol); return []; });
                Assert.Equal(aLocal, retiredA.Single<IkeSaSpiRetired>().LocalSpi);
                client.Use(oldSa!);
                var deleteOld = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
                Assert.Equal(oldLocal, deleteOld.Step.Single<IkeSaSpiRetired>().LocalSpi);
                client.Use(b);
                client.NextMessageId = 0;
            }
            else
            {
                // B is redundant: A becomes current (we are its initiator), we delete the old SA, the client deletes B.
                Assert.True(rekeyed.LocalIsOriginalInitiator);
                Assert.Equal(rekeyed.LocalSpi, sa.LocalSpi);
                client.Use(oldSa!);
                var retiredOld = client.Answer(Assert.Single(answered.Send), (_, _) => []);
                Assert.Equal(oldLocal, retiredOld.Single<IkeSaSpiRetired>().LocalSpi);
                client.Use(b);
                var deleteB = client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
                Assert.Equal(bLocal, deleteB.Step.Single<IkeSaSpiRetired>().LocalSpi);
                client.Use(aSa);
                client.NextMessageId = 0;
            }
            var liveness = client.Request(ExchangeType.Informational, []);
            Assert.NotNull(liveness.Response);
            Assert.False(liveness.Step.Terminated);
            Assert.Equal(1, sa.ActiveChildSaCount);
        }
    }
}
