using System.Net;
using System.Security.Cryptography;
using Gateway.Core.DataPlane;
using Gateway.Crypto.Esp;
using Gateway.DataPlane;
using Gateway.Esp;
using Gateway.Ike;
using Gateway.Metrics;

namespace Gateway.Tests;

/// <summary>
/// The data plane between two fake ends: a "client" that seals and opens with its own EspTransforms (keys mirrored),
/// a fake TUN and a fake sender.
/// </summary>
public sealed class DataPlaneTests : IDisposable
{
    private const uint OurSpi = 0xC0000101;   // inbound (client → gateway)
    private const uint PeerSpi = 0xD0000202;  // outbound (gateway → client)
    private static readonly IPEndPoint Local = new(IPAddress.Parse("10.99.1.1"), 4500);
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("10.99.1.2"), 4500);

    private readonly FakeTun _tun = new();
    private readonly FakeSender _sender = new();
    private readonly GatewayMetrics _metrics = new();
    private readonly EspDataPlane _plane;

    public DataPlaneTests() => _plane = new EspDataPlane(_tun, _sender, _metrics, workers: 2, queueDepth: 64, replayWindow: 1024);

    public void Dispose() => _plane.Dispose();

    public static TheoryData<EncryptionAlgorithm, int, IntegrityAlgorithm, bool> Suites => new()
    {
        { EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false },
        { EncryptionAlgorithm.AesGcm16, 256, IntegrityAlgorithm.None, true },
        { EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha1_96, false },
        { EncryptionAlgorithm.TripleDes, 0, IntegrityAlgorithm.HmacSha2_256_128, false },
    };

    private sealed record Client(EspTransform Seal, EspTransform Open, ChildSaInstallation Sa);

    private Client Install(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, bool esn, params string[] inner) =>
        InstallPair(OurSpi, PeerSpi, enc, bits, integ, esn, inner);

    private Client InstallPair(uint ourSpi, uint peerSpi, EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, bool esn, params string[] inner)
    {
        int keyBytes = enc switch
        {
            EncryptionAlgorithm.AesGcm16 => bits / 8 + 4,
            EncryptionAlgorithm.TripleDes => 24,
            _ => bits / 8,
        };
        int integBytes = integ switch
        {
            IntegrityAlgorithm.None => 0,
            IntegrityAlgorithm.HmacSha1_96 => 20,
            _ => 32,
        };
        byte[] Key(int n) => RandomNumberGenerator.GetBytes(n);
        var sa = new ChildSaInstallation(ourSpi, peerSpi, enc, bits, integ, esn,
            Key(keyBytes), Key(integBytes), Key(keyBytes), Key(integBytes), Local, Remote, UdpEncapsulated: true,
            inner.Select(IPAddress.Parse).ToList());
        _plane.Install(sa);
        // The client seals with what is our inbound key, and opens with our outbound key.
        return new Client(
            EspTransformFactory.Create(enc, bits, integ, sa.InboundEncryptionKey, sa.InboundIntegrityKey, esn),
            EspTransformFactory.Create(enc, bits, integ, sa.OutboundEncryptionKey, sa.OutboundIntegrityKey, esn),
            sa);
    }

    private static byte[] SealFromClient(Client c, ulong seq, byte[] inner, byte nextHeader = InnerPacket.NextHeaderIPv4)
    {
        var esp = new byte[c.Seal.SealedLength(inner.Length)];
        int n = c.Seal.Seal(c.Sa.InboundSpi, seq, inner, nextHeader, esp);
        return esp[..n];
    }

    private static byte[] Ping(string from, string to, ushort seq = 1) =>
        Packets.IPv4(from, to, 1, Packets.IcmpEcho(8, 7, seq, "payload from the test"u8));

    [Theory]
    [MemberData(nameof(Suites))]
    public void Inbound_esp_from_the_client_reaches_the_tun_device(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, bool esn)
    {
        Client client = Install(enc, bits, integ, esn, "10.77.0.2", "fd77::2");
        byte[] v4 = Ping("10.77.0.2", "10.99.2.2");
        byte[] v6 = Packets.IPv6("fd77::2", "fd99:0:0:2::2", 59, "six"u8);

        _plane.ReceiveEsp(SealFromClient(client, 1, v4));
        _plane.ReceiveEsp(SealFromClient(client, 2, v6, InnerPacket.NextHeaderIPv6));

        Eventually.True(() => _tun.Written.Count == 2, "two packets on the TUN device");
        Assert.Equal(v4, _tun.Written.ToArray()[0]);
        Assert.Equal(v6, _tun.Written.ToArray()[1]);
        ChildSaCounters counters = _plane.ReadCounters(OurSpi)!;
        Assert.Equal(2, counters.InboundPackets);
        Assert.Equal(v4.Length + v6.Length, counters.InboundBytes);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Outbound_packets_from_the_tun_device_reach_the_client_sealed(EncryptionAlgorithm enc, int bits, IntegrityAlgorithm integ, bool esn)
    {
        Client client = Install(enc, bits, integ, esn, "10.77.0.2");
        byte[] reply = Packets.IPv4("10.99.2.2", "10.77.0.2", 1, Packets.IcmpEcho(0, 7, 1, "reply"u8));

        _plane.ReceiveInner(reply);
        _plane.ReceiveInner(reply);

        Eventually.True(() => _sender.Sent.Count == 2, "two ESP packets sent");
        SentEsp[] sent = _sender.Sent.ToArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(Remote, sent[i].Path.Remote);
            Assert.True(sent[i].Path.UdpEncapsulated);
            Assert.Equal(Local, sent[i].Local);
            Assert.Equal(PeerSpi, UdpEncapsulation.ReadSpi(sent[i].Packet));
            Assert.Equal((uint)(i + 1), UdpEncapsulation.ReadSequenceLow(sent[i].Packet));
            var payload = new byte[sent[i].Packet.Length];
            Assert.True(client.Open.TryOpen(sent[i].Packet, (ulong)(i + 1), payload, out int length, out byte nextHeader));
            Assert.Equal(InnerPacket.NextHeaderIPv4, nextHeader);
            Assert.Equal(reply, payload[..length]);
        }
        Assert.Equal(2, _plane.ReadCounters(OurSpi)!.OutboundPackets);
    }

    [Fact]
    public void Replayed_tampered_spoofed_and_unknown_packets_are_dropped_and_counted()
    {
        Client client = Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        byte[] good = SealFromClient(client, 5, Ping("10.77.0.2", "10.99.2.2"));
        _plane.ReceiveEsp(good);
        Eventually.True(() => _tun.Written.Count == 1, "the first packet delivered");

        _plane.ReceiveEsp(good); // replay
        byte[] tampered = SealFromClient(client, 6, Ping("10.77.0.2", "10.99.2.2"));
        tampered[^1] ^= 1;
        _plane.ReceiveEsp(tampered);
        _plane.ReceiveEsp(SealFromClient(client, 7, Ping("10.77.0.99", "10.99.2.2"))); // not the client's address
        byte[] unknown = (byte[])good.Clone();
        unknown[0] ^= 0x10;
        _plane.ReceiveEsp(unknown);
        _plane.ReceiveEsp(good[..5]); // shorter than an ESP header

        Eventually.True(() => _metrics.DropCount(PacketDrop.Policy) == 1, "the spoofed source dropped");
        Assert.Equal(1, _metrics.DropCount(PacketDrop.Replay));
        Assert.Equal(1, _metrics.DropCount(PacketDrop.IcvFailure));
        Assert.Equal(1, _metrics.DropCount(PacketDrop.UnknownSpi));
        Assert.Equal(1, _metrics.DropCount(PacketDrop.Malformed));
        Assert.Single(_tun.Written);
        ChildSaCounters counters = _plane.ReadCounters(OurSpi)!;
        Assert.Equal(1, counters.ReplayDrops);
        Assert.Equal(1, counters.IntegrityFailures);

        // The tampered packet's number (6) was never accepted: its genuine twin still gets through.
        _plane.ReceiveEsp(SealFromClient(client, 6, Ping("10.77.0.2", "10.99.2.2", 2)));
        Eventually.True(() => _tun.Written.Count == 2, "seq 6 delivered after the forgery");
    }

    // RFC 6311 replay counter sync: once the peer confirmed, everything up to the floor is a replay; above it passes.
    [Fact]
    public void A_raised_inbound_floor_refuses_packets_up_to_it_and_passes_the_moved_counter()
    {
        Client client = Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        _plane.ReceiveEsp(SealFromClient(client, 5, Ping("10.77.0.2", "10.99.2.2")));
        Eventually.True(() => _tun.Written.Count == 1, "the first packet delivered");

        _plane.RaiseInboundFloor(OurSpi, 5 + 1000);
        _plane.RaiseInboundFloor(0xDEAD0001, 5); // unknown SPI: ignored
        _plane.ReceiveEsp(SealFromClient(client, 6, Ping("10.77.0.2", "10.99.2.2", 2)));   // sent before the move
        _plane.ReceiveEsp(SealFromClient(client, 1006, Ping("10.77.0.2", "10.99.2.2", 3))); // after it
        Eventually.True(() => _tun.Written.Count == 2, "the packet above the floor delivered");
        Eventually.True(() => _metrics.DropCount(PacketDrop.Replay) == 1, "the packet below the floor dropped as a replay");
        Assert.Equal(1006ul, _plane.ReadCounters(OurSpi)!.InboundSequence);
    }

    [Fact]
    public void Packets_to_addresses_without_sa_are_dropped_and_remove_stops_traffic()
    {
        Client client = Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        Assert.Equal(1, _metrics.ChildSas);
        _plane.ReceiveInner(Packets.IPv4("10.99.2.2", "10.77.0.3", 1, "x"u8));
        Assert.Equal(1, _metrics.DropCount(PacketDrop.NoRoute));

        _plane.Remove(OurSpi);
        Assert.Null(_plane.ReadCounters(OurSpi));
        Assert.Equal(0, _metrics.ChildSas);
        _plane.ReceiveEsp(SealFromClient(client, 1, Ping("10.77.0.2", "10.99.2.2")));
        Assert.Equal(1, _metrics.DropCount(PacketDrop.UnknownSpi));
        _plane.ReceiveInner(Packets.IPv4("10.99.2.2", "10.77.0.2", 1, "x"u8));
        Assert.Equal(2, _metrics.DropCount(PacketDrop.NoRoute));
        _plane.Remove(OurSpi); // unknown SPIs are ignored
    }

    [Fact]
    public void Update_peer_moves_outbound_traffic_to_the_new_address_and_encapsulation()
    {
        Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        var newRemote = new IPEndPoint(IPAddress.Parse("fd99:0:0:1::2"), 0);
        var newLocal = new IPEndPoint(IPAddress.Parse("fd99:0:0:1::1"), 0);
        _plane.UpdatePeer(OurSpi, newLocal, newRemote, udpEncapsulated: false);
        _plane.ReceiveInner(Packets.IPv4("10.99.2.2", "10.77.0.2", 1, "x"u8));
        Eventually.True(() => _sender.Sent.Count == 1, "sent after the move");
        SentEsp sent = _sender.Sent.Single();
        Assert.Equal(newRemote, sent.Path.Remote);
        Assert.False(sent.Path.UdpEncapsulated);
        Assert.Equal(newLocal, sent.Local);
    }

    [Fact]
    public void Installing_the_same_inbound_spi_twice_fails_and_keeps_the_first()
    {
        Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        Assert.Throws<InvalidOperationException>(() => Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.5"));
        Assert.NotNull(_plane.ReadCounters(OurSpi));
        Assert.Equal(1, _metrics.ChildSas);
    }

    [Fact]
    public void A_rekey_is_make_before_break_the_new_SA_takes_outbound_at_install_and_the_old_inbound_works_until_removed()
    {
        const uint newOurSpi = OurSpi + 1, newPeerSpi = PeerSpi + 1;
        Client old = Install(EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");
        Client fresh = InstallPair(newOurSpi, newPeerSpi, EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false, "10.77.0.2");

        // Outbound to the client's address goes with the newest SA as soon as it is installed (what the child SA
        // actor of a ChildSaRekeyed does) ...
        _plane.ReceiveInner(Packets.IPv4("10.99.2.2", "10.77.0.2", 1, "x"u8));
        Eventually.True(() => _sender.Sent.Count == 1, "sent on the new SA");
        Assert.Equal(newPeerSpi, UdpEncapsulation.ReadSpi(_sender.Sent.Single().Packet));

        // ... while the old SA's inbound still delivers what the client sent before it switched.
        _plane.ReceiveEsp(SealFromClient(old, 1, Ping("10.77.0.2", "10.99.2.2")));
        _plane.ReceiveEsp(SealFromClient(fresh, 1, Ping("10.77.0.2", "10.99.2.2", 2)));
        Eventually.True(() => _tun.Written.Count == 2, "both SAs deliver inbound");

        // Removing the old pair (its ChildSaDeleted) keeps the new SA's route.
        _plane.Remove(OurSpi);
        _plane.ReceiveInner(Packets.IPv4("10.99.2.2", "10.77.0.2", 1, "y"u8));
        Eventually.True(() => _sender.Sent.Count == 2, "still sent after the old SA left");
        Assert.Equal(newPeerSpi, UdpEncapsulation.ReadSpi(_sender.Sent.ToArray()[1].Packet));
        Assert.Equal(0, _metrics.DropCount(PacketDrop.NoRoute));
        Assert.Equal(1, _metrics.ChildSas);
    }

    [Fact]
    public async Task The_core_metrics_for_mobility_liveness_and_rekeys_are_exported()
    {
        _metrics.PeerAddressChanged();
        _metrics.PeerAddressChangeRefused();
        _metrics.LivenessStateChanged(Gateway.Core.IkeSa.LivenessState.Dormant);
        _metrics.ChildSaRekeyed();
        _metrics.IkeSaRekeyed();
        _metrics.Dropped(Gateway.Core.Metrics.DropReason.SessionCollision);
        Assert.Equal(1, _metrics.LivenessChanges(Gateway.Core.IkeSa.LivenessState.Dormant));

        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream);
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("gateway_ike_peer_moves_total 1", text);
        Assert.Contains("gateway_ike_peer_moves_refused_total 1", text);
        Assert.Contains("gateway_ike_liveness_changes_total{state=\"dormant\"} 1", text);
        Assert.Contains("gateway_child_sa_rekeys_total 1", text);
        Assert.Contains("gateway_ike_sa_rekeys_total 1", text);
        Assert.Contains("gateway_ike_messages_dropped_total{reason=\"session_collision\"} 1", text);
    }

    [Fact]
    public async Task The_core_metrics_for_cookies_redirects_and_INITIAL_CONTACT_are_exported()
    {
        _metrics.CookieSent();
        _metrics.CookieSent();
        _metrics.CookieValidated();
        _metrics.CookieInvalid();
        _metrics.SaInitRedirected();
        _metrics.IkeSaRedirected();
        _metrics.IkeSaReplacedByInitialContact();
        _metrics.AddressLeasesReclaimed(3);

        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream);
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("gateway_ike_cookies_total{outcome=\"sent\"} 2", text);
        Assert.Contains("gateway_ike_cookies_total{outcome=\"valid\"} 1", text);
        Assert.Contains("gateway_ike_cookies_total{outcome=\"invalid\"} 1", text);
        Assert.Contains("gateway_ike_sa_init_redirects_total 1", text);
        Assert.Contains("gateway_ike_sa_redirects_total 1", text);
        Assert.Contains("gateway_ike_sa_initial_contact_replacements_total 1", text);
        Assert.Contains("gateway_address_leases_reclaimed_total 3", text);
    }
}
