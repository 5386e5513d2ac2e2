using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Core.DataPlane;
using Gateway.DataPlane.Steering;
using Gateway.Ike;
using Gateway.Metrics;
using Gateway.Network;

namespace Gateway.Tests;

/// <summary>Several nodes sharing one address (issue 5 §5): owner map, forward frame and socket, host routes, config.</summary>
public sealed class SteeringTests
{
    private static readonly IPEndPoint NodeA = new(IPAddress.Loopback, 4611), NodeB = new(IPAddress.Loopback, 4612);

    [Fact]
    public void Owner_map_follows_announcements_a_new_claim_wins_and_a_removed_node_is_forgotten()
    {
        var map = new EspOwnerMap();
        map.Announce("a", NodeA, [1, 2, 3]);
        map.Announce("b", NodeB, [7]);
        Assert.True(map.TryGetOwner(2, out var owner));
        Assert.Equal(NodeA, owner);

        // SA 2 moves to b (a died or handed it over): b's claim wins even while a's older set still names it.
        map.Announce("b", NodeB, [7, 2]);
        Assert.True(map.TryGetOwner(2, out owner));
        Assert.Equal(NodeB, owner);
        // a's next set drops 2 and 3: 2 stays with b, 3 is gone.
        map.Announce("a", NodeA, [1]);
        Assert.True(map.TryGetOwner(2, out owner));
        Assert.Equal(NodeB, owner);
        Assert.False(map.TryGetOwner(3, out _));

        map.Forget("b");
        Assert.False(map.TryGetOwner(2, out _));
        Assert.False(map.TryGetOwner(7, out _));
        Assert.True(map.TryGetOwner(1, out _));
        Assert.Equal(1, map.Count);
    }

    [Fact]
    public void Announcement_round_trips_and_truncation_is_refused()
    {
        var serializer = new EspOwnerAnnouncementSerializer(null!);
        var announcement = new EspOwnerAnnouncement("akka.tcp://gateway@127.0.0.1:4061", "127.0.0.1", 4611, true, [1, 0xDEADBEEF, 42]);
        byte[] bytes = serializer.ToBinary(announcement);
        var back = Assert.IsType<EspOwnerAnnouncement>(serializer.FromBinary(bytes, serializer.Manifest(announcement)));
        Assert.Equal(announcement.Node, back.Node);
        Assert.Equal(announcement.ForwardAddress, back.ForwardAddress);
        Assert.Equal(4611, back.ForwardPort);
        Assert.True(back.ReplyWanted);
        Assert.Equal(announcement.Spis, back.Spis);
        Assert.ThrowsAny<Exception>(() => serializer.FromBinary(bytes[..^1], serializer.Manifest(announcement)));
        Assert.ThrowsAny<Exception>(() => serializer.FromBinary(bytes, "esp-owners.v9"));
    }

    [Fact]
    public void Forward_frame_carries_the_esp_packet_and_rejects_stray_datagrams()
    {
        byte[] esp = [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0xAA];
        var frame = new byte[esp.Length + EspForwardFrame.HeaderLength];
        Assert.Equal(frame.Length, EspForwardFrame.Write(esp, frame));
        Assert.True(EspForwardFrame.TryOpen(frame, out ReadOnlySpan<byte> opened));
        Assert.Equal(esp, opened.ToArray());
        frame[2] = 2; // another version
        Assert.False(EspForwardFrame.TryOpen(frame, out _));
        Assert.False(EspForwardFrame.TryOpen(frame.AsSpan(0, EspForwardFrame.HeaderLength), out _));
    }

    [Fact]
    public void Forwarder_sends_udp_esp_to_the_owner_ignores_raw_copies_and_never_forwards_twice()
    {
        using var owner = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        owner.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using GatewaySocket own = GatewaySocket.Open(IPAddress.Loopback, 0, SocketRole.EspForward);
        var map = new EspOwnerMap();
        map.Announce("owner", (IPEndPoint)owner.LocalEndPoint!, [0x01020304]);
        var metrics = new GatewayMetrics();
        var forwarder = new EspForwarder(own, map, metrics);
        byte[] esp = [1, 2, 3, 4, 0, 0, 0, 9, 0xEE, 0xFF];

        Assert.True(forwarder.Handle(0x01020304, esp, EspArrival.Udp));
        var buffer = new byte[100];
        int n = owner.Receive(buffer);
        Assert.True(EspForwardFrame.TryOpen(buffer.AsSpan(0, n), out ReadOnlySpan<byte> received));
        Assert.Equal(esp, received.ToArray());
        Assert.Equal(1, metrics.EspForwardedOut.Value);

        Assert.True(forwarder.Handle(0x01020304, esp, EspArrival.Raw));        // the owner's raw socket has its own copy
        Assert.False(forwarder.Handle(0x01020304, esp, EspArrival.Forwarded)); // a stale map must not loop
        Assert.False(forwarder.Handle(0x99999999, esp, EspArrival.Udp));       // nobody owns it: unknown SPI
        Assert.False(forwarder.Handle(0x99999999, esp, EspArrival.Raw));
        Assert.Equal(1, metrics.EspForwardedOut.Value);
    }

    [Fact]
    public void Host_routes_are_kept_while_any_sa_of_the_address_is_installed_and_owned_spis_follow_installs()
    {
        var routes = new RecordingRoutes();
        var plane = new SteeredDataPlane(new NullDataPlane(), routes);
        int changes = 0;
        plane.OwnedSpisChanged += () => changes++;
        plane.Install(Child(0x100, "10.99.100.5", "fd99::5"));
        plane.Install(Child(0x200, "10.99.100.5", "fd99::5")); // a rekey: the new SA before the old goes
        Assert.Equal(["+10.99.100.5", "+fd99::5"], routes.Log);
        Assert.Equal([0x100u, 0x200u], plane.OwnedSpis().Order());

        plane.Remove(0x100);
        Assert.Equal(2, routes.Log.Count);
        plane.Remove(0x200);
        Assert.Equal(["+10.99.100.5", "+fd99::5", "-10.99.100.5", "-fd99::5"], routes.Log);
        Assert.Empty(plane.OwnedSpis());
        plane.Remove(0x300); // unknown: nothing
        Assert.Equal(4, changes);
    }

    [Fact]
    public void Forward_port_is_read_off_by_default_and_checked()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, SettingsReader.Read(HoconLoader.Load(null), dir.Path).SteeringForwardPort);
        Assert.Null(SettingsReader.Read(HoconLoader.Load(null), dir.Path).AkkaOverrides);
        var set = SettingsReader.Read(HoconLoader.Load(dir.Write("a.conf", "gateway.steering.forward-port = 4611\nakka.loglevel = INFO")), dir.Path);
        Assert.Equal(4611, set.SteeringForwardPort);
        Assert.Equal("INFO", set.AkkaOverrides!.GetString("akka.loglevel"));
        var error = Assert.Throws<ConfigurationError>(() =>
            SettingsReader.Read(HoconLoader.Load(dir.Write("b.conf", "gateway.steering.forward-port = 70000")), dir.Path));
        Assert.Contains("gateway.steering.forward-port", error.Message);
    }

    private static ChildSaInstallation Child(uint spi, params string[] inner) => new(
        spi, spi + 1, EncryptionAlgorithm.AesGcm16, 128, IntegrityAlgorithm.None, false,
        new byte[20], [], new byte[20], [], new IPEndPoint(IPAddress.Loopback, 4500), new IPEndPoint(IPAddress.Loopback, 4500), true,
        [.. inner.Select(IPAddress.Parse)]);

    private sealed class RecordingRoutes : IHostRoutes
    {
        public List<string> Log { get; } = [];
        public void Add(IPAddress address) => Log.Add("+" + address);
        public void Remove(IPAddress address) => Log.Add("-" + address);
    }

    private sealed class NullDataPlane : IDataPlane
    {
        public void Install(ChildSaInstallation sa) { }
        public void UpdatePeer(uint inboundSpi, IPEndPoint local, IPEndPoint remote, bool udpEncapsulated) { }
        public void Remove(uint inboundSpi) { }
        public void RaiseInboundFloor(uint inboundSpi, ulong floor) { }
        public ChildSaCounters? ReadCounters(uint inboundSpi) => null;
    }
}
