using System.Net;
using System.Net.Sockets;
using Gateway.Core.Transport;
using Gateway.Esp;
using Gateway.Metrics;
using Gateway.Network;

namespace Gateway.Tests;

/// <summary>The UDP 4500 demultiplexer, and the real sockets (IP_PKTINFO receive, source-address send) on loopback.</summary>
public class NetworkTests
{
    private static byte[] IkeHeader(byte firstByte = 0x11)
    {
        var ike = new byte[40];
        ike[0] = firstByte; // nonzero initiator SPI
        ike[17] = 0x20;     // version 2.0
        ike[27] = 40;       // length
        return ike;
    }

    [Fact]
    public void Udp_4500_demux_sends_ike_after_the_marker_to_ingress_esp_to_the_data_plane_and_drops_the_rest()
    {
        using GatewaySocket socket = GatewaySocket.Open(IPAddress.Loopback, 0, SocketRole.NatTraversal);
        var esp = new FakeEspReceiver();
        var ingress = new FakeIngress();
        var metrics = new GatewayMetrics();
        var demux = new PacketDemux(esp, metrics) { Ingress = ingress };
        var remote = new PacketEndpoint(InnerAddress.Parse("10.99.1.2"), 61000);
        var local = InnerAddress.Parse("10.99.1.1");

        byte[] ike = IkeHeader();
        demux.Handle(socket, [0, 0, 0, 0, .. ike], remote, local);
        demux.Handle(socket, [0xFF], remote, local);                           // NAT keepalive: ignored
        byte[] espPacket = [0xC0, 0, 1, 1, 0, 0, 0, 1, 9, 9, 9, 9];
        demux.Handle(socket, espPacket, remote, local);
        demux.Handle(socket, [0, 0, 1], remote, local);                        // too short
        demux.Handle(socket, [0, 0, 0, 5, 1, 2, 3, 4, 5], remote, local);      // reserved SPI 5

        IkeDatagram received = Assert.Single(ingress.Received);
        Assert.Equal(ike, received.Message.ToArray());
        Assert.Equal(IPAddress.Parse("10.99.1.1"), received.Local.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.99.1.2"), 61000), received.Remote);
        Assert.Equal(espPacket, Assert.Single(esp.Received));
        Assert.Equal(2, metrics.DropCount(PacketDrop.Malformed));
    }

    [Fact]
    public void Raw_ipv4_esp_loses_its_ip_header_and_ike_before_the_core_is_ready_is_counted()
    {
        using GatewaySocket udp500 = GatewaySocket.Open(IPAddress.Loopback, 0, SocketRole.Ike);
        using GatewaySocket raw = GatewaySocket.Open(IPAddress.Loopback, 0, SocketRole.RawEsp);
        var esp = new FakeEspReceiver();
        var metrics = new GatewayMetrics();
        var demux = new PacketDemux(esp, metrics);
        byte[] espPacket = [0xC0, 0, 1, 1, 0, 0, 0, 1, 7];
        byte[] ipv4 = Packets.IPv4("10.99.1.2", "10.99.1.1", 50, espPacket);
        demux.Handle(raw, ipv4, default, default);
        demux.Handle(udp500, IkeHeader(), default, default);
        demux.Handle(udp500, new byte[10], default, default);
        Assert.Equal(espPacket, Assert.Single(esp.Received));
        Assert.Equal(1, metrics.DropCount(PacketDrop.IkeRejected));
        Assert.Equal(1, metrics.DropCount(PacketDrop.Malformed));
    }

    [Theory]
    [InlineData("127.0.0.1", "0.0.0.0")]
    [InlineData("::1", "::")]
    public void Real_sockets_receive_with_the_local_address_and_reply_from_it_with_the_marker_on_4500(string loopback, string wildcard)
    {
        IPAddress address = IPAddress.Parse(loopback);
        (int ike, int nat) = FreePorts(address);
        using SocketSet sockets = SocketSet.Open([IPAddress.Parse(wildcard)], ike, nat, rawEsp: false);
        var ingress = new FakeIngress();
        var esp = new FakeEspReceiver();
        var demux = new PacketDemux(esp, new GatewayMetrics()) { Ingress = ingress };
        var loops = sockets.Sockets.Select(s => new ReceiveLoop(s, demux.Handle, e => throw e)).ToList();
        loops.ForEach(l => l.Start());
        try
        {
            using var client = new UdpClient(new IPEndPoint(address, 0));
            byte[] message = IkeHeader();
            client.Send([0, 0, 0, 0, .. message], new IPEndPoint(address, nat));
            client.Send(message, new IPEndPoint(address, ike));
            client.Send([0xC0, 0, 0, 9, 0, 0, 0, 1, 1, 2, 3, 4], new IPEndPoint(address, nat));
            Eventually.True(() => ingress.Received.Count == 2 && esp.Received.Count == 1, "two IKE messages and one ESP packet");

            IkeDatagram[] got = ingress.Received.ToArray();
            Assert.All(got, d => Assert.Equal(address, d.Local.Address)); // learnt from IP_PKTINFO, not the wildcard
            Assert.All(got, d => Assert.Equal(((IPEndPoint)client.Client.LocalEndPoint!).Port, d.Remote.Port));
            Assert.Contains(got, d => d.Local.Port == nat);
            Assert.Contains(got, d => d.Local.Port == ike);

            // Reply on 4500: the marker is added and the datagram leaves from our 4500 port.
            IkeDatagram fromNat = got.Single(d => d.Local.Port == nat);
            sockets.Send(new IkeDatagram(message, fromNat.Local, fromNat.Remote));
            IPEndPoint? from = null;
            client.Client.ReceiveTimeout = 5000;
            byte[] reply = client.Receive(ref from);
            Assert.Equal([0, 0, 0, 0, .. message], reply);
            Assert.Equal(new IPEndPoint(address, nat), from);

            // ESP out through the same socket.
            Assert.True(sockets.Send([0xD0, 0, 0, 1, 0, 0, 0, 1, 5], fromNat.Local, new PeerPath(fromNat.Remote, true)));
            reply = client.Receive(ref from);
            Assert.Equal([0xD0, 0, 0, 1, 0, 0, 0, 1, 5], reply);
        }
        finally
        {
            loops.ForEach(l => l.Dispose());
        }
    }

    [Fact]
    public void Wildcard_ipv4_and_ipv6_sockets_coexist_on_the_same_ports()
    {
        (int ike, int nat) = FreePorts(IPAddress.Loopback);
        using SocketSet sockets = SocketSet.Open([IPAddress.Any, IPAddress.IPv6Any], ike, nat, rawEsp: true);
        Assert.Equal(6, sockets.Sockets.Count);
        Assert.Contains($"udp:[::]:{nat}", sockets.Describe());
    }

    private static (int, int) FreePorts(IPAddress address)
    {
        using var a = new UdpClient(new IPEndPoint(address, 0));
        using var b = new UdpClient(new IPEndPoint(address, 0));
        return (((IPEndPoint)a.Client.LocalEndPoint!).Port, ((IPEndPoint)b.Client.LocalEndPoint!).Port);
    }
}
