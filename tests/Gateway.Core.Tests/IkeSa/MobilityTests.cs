using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>MOBIKE as responder (RFC 4555): announcement, UPDATE_SA_ADDRESSES, NAT changes, COOKIE2, return routability.</summary>
public sealed class MobilityTests
{
    private const uint ClientSpi = 0xABC00001;
    private static readonly ResponderOptions NoRrCheck = new() { ReturnRoutabilityCheck = false };

    internal static (IkeSaResponder Sa, TestInitiator Client, Round Auth) Established(ResponderOptions? options = null, bool mobike = true,
        bool behindNat = false, IPEndPoint? client = null)
    {
        var gateway = new TestGateway();
        var sa = gateway.NewSa(options);
        var initiator = new TestInitiator(sa, client) { PretendBehindNat = behindNat };
        initiator.SaInit("aes256-sha256-modp2048");
        var child = TestInitiator.ChildPayloads("aes256-sha256", ClientSpi, TestInitiator.AddressRequest())
            .Where(p => mobike || p is not NotifyPayload { NotifyType: NotifyType.MobikeSupported }).ToList();
        var auth = initiator.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk, child);
        auth.Step.Single<ChildSaEstablished>();
        return (sa, initiator, auth);
    }

    [Fact]
    public void IKE_AUTH_response_announces_MOBIKE_and_no_additional_addresses()
    {
        var (sa, client, auth) = Established();
        using (sa)
        using (client)
        {
            Assert.NotNull(auth.Notify(NotifyType.MobikeSupported));
            Assert.NotNull(auth.Notify(NotifyType.NoAdditionalAddresses));
            Assert.True(sa.MobikeInUse);
        }
    }

    [Fact]
    public void IKE_AUTH_response_lists_our_other_addresses_but_not_the_dialled_one()
    {
        var options = new ResponderOptions
        {
            AdditionalAddresses = [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2"), IPAddress.Parse("2001:db8::1")],
        };
        var (sa, client, auth) = Established(options);
        using (sa)
        using (client)
        {
            var announced = auth.Response!.OfType<NotifyPayload>()
                .Where(n => n.NotifyType is NotifyType.AdditionalIp4Address or NotifyType.AdditionalIp6Address)
                .Select(n => n.TryGetAddress(out var a) ? a! : null!).ToList();
            Assert.Equal([IPAddress.Parse("198.51.100.2"), IPAddress.Parse("2001:db8::1")], announced);
            Assert.Null(auth.Notify(NotifyType.NoAdditionalAddresses));
        }
    }

    [Fact]
    public void Peer_without_MOBIKE_gets_no_MOBIKE_notifies_and_its_UPDATE_SA_ADDRESSES_moves_nothing()
    {
        var (sa, client, auth) = Established(NoRrCheck, mobike: false);
        using (sa)
        using (client)
        {
            Assert.Null(auth.Notify(NotifyType.MobikeSupported));
            Assert.False(sa.MobikeInUse);
            var original = sa.Remote;
            var round = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500));
            Assert.NotNull(round.Response);
            Assert.Empty(round.Step.All<ChildSaMoved>());
            Assert.Equal(original, sa.Remote);
        }
    }

    [Fact]
    public void Update_to_a_new_IPv4_address_and_port_moves_the_IKE_SA_and_every_child_with_the_same_SPIs()
    {
        var (sa, client, auth) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            var child = auth.Step.Single<ChildSaEstablished>().Sa;
            var virtualAddresses = sa.VirtualAddresses;
            var moved = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 61000);
            var round = client.UpdateSaAddresses(moved);

            Assert.Equal(moved, round.Step.Send.Single().Remote);
            Assert.NotNull(round.Notify(NotifyType.NatDetectionSourceIp));
            Assert.NotNull(round.Notify(NotifyType.NatDetectionDestinationIp));
            var changed = round.Step.Single<PeerAddressChanged>();
            Assert.Equal(moved, changed.Remote);
            var childMoved = round.Step.Single<ChildSaMoved>();
            Assert.Equal(child.InboundSpi, childMoved.InboundSpi);
            Assert.Equal(moved, childMoved.Remote);
            Assert.Equal(client.Gateway, childMoved.Local);
            Assert.False(childMoved.UdpEncapsulated); // no NAT, our port 500
            Assert.Equal(moved, sa.Remote);
            Assert.Equal(virtualAddresses, sa.VirtualAddresses);
            Assert.Equal(1, sa.ChildSaCount);
            Assert.Empty(round.Step.All<ChildSaEstablished>());
            Assert.Empty(round.Step.All<ChildSaDeleted>());
        }
    }

    [Fact]
    public void Update_from_IPv4_to_IPv6_moves_both_ends_to_IPv6()
    {
        var (sa, client, auth) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            var inbound = auth.Step.Single<ChildSaEstablished>().Sa.InboundSpi;
            var peer = new IPEndPoint(IPAddress.Parse("2001:db8:1::7"), 4500);
            var gateway = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500);
            var round = client.UpdateSaAddresses(peer, gateway);

            var sent = round.Step.Send.Single();
            Assert.Equal(peer, sent.Remote);
            Assert.Equal(gateway, sent.Local);
            var moved = round.Step.Single<ChildSaMoved>();
            Assert.Equal(inbound, moved.InboundSpi);
            Assert.Equal(peer, moved.Remote);
            Assert.Equal(gateway, moved.Local);
            Assert.True(moved.UdpEncapsulated); // peer talks to our 4500: stays in UDP
            // Our NAT-D for the IPv6 path is what the peer computes for it: no NAT.
            Assert.Equal(NotifyPayload.ComputeNatDetectionHash(client.SpiI, client.SpiR, peer.Address, 4500),
                round.Notify(NotifyType.NatDetectionDestinationIp)!.Data.ToArray());
            Assert.False(sa.Nat.Any);
        }
    }

    [Fact]
    public void UDP_encapsulation_switches_on_when_a_NAT_appears_and_off_when_it_goes()
    {
        var (sa, client, _) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            Assert.False(sa.UdpEncapsulated);
            var natted = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40001),
                new IPEndPoint(client.Gateway.Address, 4500), behindNat: true);
            Assert.True(natted.Step.Single<ChildSaMoved>().UdpEncapsulated);
            Assert.True(natted.Step.Single<PeerAddressChanged>().UdpEncapsulated);
            Assert.True(sa.Nat.PeerBehindNat);

            var direct = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("192.0.2.44"), 500),
                new IPEndPoint(client.Gateway.Address, 500));
            Assert.False(direct.Step.Single<ChildSaMoved>().UdpEncapsulated);
            Assert.False(sa.Nat.Any);
            Assert.False(sa.UdpEncapsulated);
        }
    }

    [Fact]
    public void NAT_appearing_on_the_same_address_flips_encapsulation_without_a_return_routability_check()
    {
        var (sa, client, _) = Established(); // RR check on: only the encapsulation changes, the addresses do not
        using (sa)
        using (client)
        {
            var round = client.UpdateSaAddresses(client.Client, behindNat: true);
            Assert.True(round.Step.Single<ChildSaMoved>().UdpEncapsulated);
            Assert.Empty(client.GatewayRequests(round.Step));
        }
    }

    [Fact]
    public void NAT_detection_in_a_plain_INFORMATIONAL_is_answered_for_the_addresses_the_request_came_from()
    {
        // strongSwan's MOBIKE initiator sends NAT_DETECTION_*_IP in every DPD and compares our DESTINATION_IP hash with
        // the previous one: a changed hash is how it learns that its NAT mapping changed (and then sends
        // UPDATE_SA_ADDRESSES). Found by the interop NAT-rebinding scenario.
        var (sa, client, _) = Established(NoRrCheck, behindNat: true);
        using (sa)
        using (client)
        {
            byte[] src = NotifyPayload.ComputeNatDetectionHash(client.SpiI, client.SpiR, IPAddress.Parse("198.51.100.1"), 4500);
            byte[] dst = NotifyPayload.ComputeNatDetectionHash(client.SpiI, client.SpiR, client.Gateway.Address, (ushort)client.Gateway.Port);
            var round = client.Request(ExchangeType.Informational,
                [NotifyPayload.NatDetection(source: true, src), NotifyPayload.NatDetection(source: false, dst)]);

            Assert.Equal(NotifyPayload.ComputeNatDetectionHash(client.SpiI, client.SpiR, client.Client.Address, (ushort)client.Client.Port),
                round.Notify(NotifyType.NatDetectionDestinationIp)!.Data.ToArray());
            Assert.NotNull(round.Notify(NotifyType.NatDetectionSourceIp));
            Assert.Empty(round.Step.Events.OfType<PeerAddressChanged>()); // nothing moves without UPDATE_SA_ADDRESSES

            var plain = client.Request(ExchangeType.Informational, []);
            Assert.Null(plain.Notify(NotifyType.NatDetectionDestinationIp)); // a plain liveness check stays empty
        }
    }

    [Fact]
    public void COOKIE2_is_echoed_in_UPDATE_SA_ADDRESSES_and_in_plain_INFORMATIONAL()
    {
        var (sa, client, _) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            var cookie = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
            var update = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500), cookie2: cookie);
            Assert.Equal(cookie, update.Notify(NotifyType.Cookie2)!.Data.ToArray());
            var plain = client.Request(ExchangeType.Informational, [NotifyPayload.Create(NotifyType.Cookie2, cookie)]);
            Assert.Equal(cookie, plain.Notify(NotifyType.Cookie2)!.Data.ToArray());
        }
    }

    [Fact]
    public void Return_routability_check_moves_the_traffic_only_after_the_new_address_answers()
    {
        var (sa, client, auth) = Established(); // default: check on
        using (sa)
        using (client)
        {
            var inbound = auth.Step.Single<ChildSaEstablished>().Sa.InboundSpi;
            var moved = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500);
            var round = client.UpdateSaAddresses(moved);

            Assert.NotNull(round.Response);
            Assert.Equal(moved, round.Step.Single<PeerAddressChanged>().Remote); // IKE follows at once
            Assert.Empty(round.Step.All<ChildSaMoved>());                        // traffic waits
            Assert.True(sa.ReturnRoutabilityPending);
            var (header, payloads, datagram) = Assert.Single(client.GatewayRequests(round.Step));
            Assert.Equal(moved, datagram.Remote);
            Assert.Equal(ExchangeType.Informational, header.ExchangeType);
            Assert.False(header.IsInitiator); // we are the original responder
            Assert.Equal(0u, header.MessageId); // our own message ID sequence
            var cookie = Assert.IsType<NotifyPayload>(Assert.Single(payloads));
            Assert.Equal(NotifyType.Cookie2, cookie.NotifyType);
            Assert.Contains(round.Step.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey && t.After == TimeSpan.FromSeconds(2));

            var answered = client.Answer(header, [cookie]);
            var childMoved = answered.Single<ChildSaMoved>();
            Assert.Equal(inbound, childMoved.InboundSpi);
            Assert.Equal(moved, childMoved.Remote);
            Assert.False(childMoved.UdpEncapsulated); // no NAT and our port 500
            Assert.False(sa.ReturnRoutabilityPending);
            Assert.Contains(answered.Timers, t => t.Key == ResponderOptions.RequestRetransmitTimerKey && t.After is null);
            // A duplicate of the answer is no longer expected.
            Assert.Equal(IkeDropReason.Unexpected, client.Answer(header, [cookie]).Single<IkeMessageDropped>().Reason);
        }
    }

    [Fact]
    public void Return_routability_answer_without_our_COOKIE2_moves_nothing()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var round = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500));
            var (header, _, _) = Assert.Single(client.GatewayRequests(round.Step));
            var answered = client.Answer(header, []);
            Assert.Empty(answered.All<ChildSaMoved>());
            answered.Single<PeerAddressChangeRefused>();
        }
    }

    [Fact]
    public void Forged_answer_to_the_return_routability_check_is_dropped()
    {
        var (sa, client, _) = Established();
        using (sa)
        using (client)
        {
            var round = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500));
            var (header, payloads, _) = Assert.Single(client.GatewayRequests(round.Step));
            var forged = client.Seal(header.ExchangeType, header.MessageId, payloads, response: true);
            forged[^3] ^= 0x40;
            var step = client.Deliver(forged);
            Assert.Equal(IkeDropReason.IntegrityFailure, step.Single<IkeMessageDropped>().Reason);
            Assert.Empty(step.All<ChildSaMoved>());
            Assert.True(sa.ReturnRoutabilityPending);
        }
    }

    [Fact]
    public void NO_NATS_ALLOWED_with_addresses_that_differ_from_what_we_see_gets_UNEXPECTED_NAT_DETECTED()
    {
        var (sa, client, _) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            var original = sa.Remote;
            // The peer says it sent from 10.0.0.2:4500; we see 203.0.113.7:4500 — a NAT it does not allow.
            var data = new byte[12];
            IPAddress.Parse("10.0.0.2").GetAddressBytes().CopyTo(data, 0);
            client.Gateway.Address.GetAddressBytes().CopyTo(data, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(8), 4500);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(10), (ushort)client.Gateway.Port);
            var round = client.UpdateSaAddresses(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500),
                extra: [NotifyPayload.Create(NotifyType.NoNatsAllowed, data)]);
            Assert.NotNull(round.Notify(NotifyType.UnexpectedNatDetected));
            round.Step.Single<PeerAddressChangeRefused>();
            Assert.Empty(round.Step.All<ChildSaMoved>());
            Assert.Equal(original, sa.Remote);
        }
    }

    [Fact]
    public void NO_NATS_ALLOWED_matching_what_we_see_is_accepted()
    {
        var (sa, client, _) = Established(NoRrCheck);
        using (sa)
        using (client)
        {
            var from = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 4500);
            var data = new byte[12];
            from.Address.GetAddressBytes().CopyTo(data, 0);
            client.Gateway.Address.GetAddressBytes().CopyTo(data, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(8), 4500);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(10), (ushort)client.Gateway.Port);
            var round = client.UpdateSaAddresses(from, extra: [NotifyPayload.Create(NotifyType.NoNatsAllowed, data)]);
            Assert.Null(round.Notify(NotifyType.UnexpectedNatDetected));
            round.Step.Single<ChildSaMoved>();
        }
    }

    [Fact]
    public void Without_MOBIKE_a_peer_behind_NAT_is_followed_when_its_mapping_changes()
    {
        // RFC 7296 §2.23 (the rule MOBIKE replaces): the NATed peer's latest authenticated address is used.
        var (sa, client, _) = Established(mobike: false, behindNat: true, client: new IPEndPoint(IPAddress.Parse("203.0.113.20"), 4500));
        using (sa)
        using (client)
        {
            var rebound = new IPEndPoint(IPAddress.Parse("203.0.113.20"), 33333);
            client.Client = rebound;
            var round = client.Request(ExchangeType.Informational, []);
            Assert.Equal(rebound, round.Step.Single<PeerAddressChanged>().Remote);
            Assert.True(round.Step.Single<ChildSaMoved>().UdpEncapsulated);
            Assert.Equal(rebound, sa.Remote);
        }
    }
}
