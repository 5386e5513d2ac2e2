using System.Net.Sockets;
using Gateway.Core.Transport;
using Gateway.DataPlane;
using Gateway.DataPlane.Steering;
using Gateway.Esp;
using Gateway.Metrics;

namespace Gateway.Network;

/// <summary>
/// Sorts received datagrams: UDP 500 → IKE; UDP 4500 → IKE after the non-ESP marker, NAT keepalive (ignored), or ESP;
/// raw protocol 50 → ESP (after the IPv4 header the kernel leaves on raw IPv4 receives). IKE goes to the core's
/// ingress (one copy, since the message outlives the receive buffer); ESP goes to the data plane.
/// </summary>
public sealed class PacketDemux(IEspReceiver dataPlane, GatewayMetrics metrics)
{
    private volatile IIkeIngress? _ingress;

    /// <summary>Set once the IKE core runs; IKE arriving before is dropped (counted as ike_rejected).</summary>
    public IIkeIngress? Ingress
    {
        get => _ingress;
        set => _ingress = value;
    }

    public void Handle(GatewaySocket socket, ReadOnlySpan<byte> datagram, PacketEndpoint remote, InnerAddress local)
    {
        switch (socket.Role)
        {
            case SocketRole.Ike:
                if (datagram.Length < UdpEncapsulation.IkeHeaderLength)
                {
                    metrics.Drop(PacketDrop.Malformed);
                    return;
                }
                DeliverIke(socket, datagram, remote, local);
                return;

            case SocketRole.NatTraversal:
                switch (UdpEncapsulation.Classify(datagram, out ReadOnlySpan<byte> payload))
                {
                    case UdpDatagramKind.Ike:
                        DeliverIke(socket, payload, remote, local);
                        return;
                    case UdpDatagramKind.Esp:
                        dataPlane.ReceiveEsp(payload, EspArrival.Udp);
                        return;
                    case UdpDatagramKind.NatKeepalive:
                        return; // only keeps the client's NAT mapping alive
                    default:
                        metrics.Drop(PacketDrop.Malformed);
                        return;
                }

            case SocketRole.RawEsp:
                ReadOnlySpan<byte> esp = datagram;
                if (socket.Family == AddressFamily.InterNetwork)
                {
                    int headerLength = datagram.IsEmpty ? 0 : (datagram[0] & 0x0F) * 4;
                    if (headerLength < 20 || datagram.Length < headerLength)
                    {
                        metrics.Drop(PacketDrop.Malformed);
                        return;
                    }
                    esp = datagram[headerLength..];
                }
                dataPlane.ReceiveEsp(esp, EspArrival.Raw);
                return;

            case SocketRole.EspForward:
                if (!EspForwardFrame.TryOpen(datagram, out ReadOnlySpan<byte> forwarded))
                {
                    metrics.Drop(PacketDrop.Malformed);
                    return;
                }
                metrics.EspForwardedIn.Inc();
                dataPlane.ReceiveEsp(forwarded, EspArrival.Forwarded);
                return;
        }
    }

    private void DeliverIke(GatewaySocket socket, ReadOnlySpan<byte> message, PacketEndpoint remote, InnerAddress local)
    {
        IIkeIngress? ingress = _ingress;
        if (ingress is null)
        {
            metrics.Drop(PacketDrop.IkeRejected);
            return;
        }
        // Without IP_PKTINFO data (never expected) the bound address is the best we know.
        var localAddress = local == default ? socket.Bound.Address : local.ToIPAddress();
        var localEndpoint = new System.Net.IPEndPoint(localAddress, socket.Bound.Port);
        ingress.Receive(new IkeDatagram(message.ToArray(), localEndpoint, remote.ToIPEndPoint()));
    }
}

/// <summary>How an ESP packet reached this node, which decides what happens when it has no SA for it.</summary>
public enum EspArrival
{
    /// <summary>UDP 4500 from the client: forwarded to the owning node when another node owns the SA.</summary>
    Udp,
    /// <summary>Raw protocol 50: every node sharing the address gets a copy; only the owner uses it.</summary>
    Raw,
    /// <summary>From another node's forward socket: never forwarded again.</summary>
    Forwarded,
}

/// <summary>What the demultiplexer needs of the data plane (a fake in tests).</summary>
public interface IEspReceiver
{
    void ReceiveEsp(ReadOnlySpan<byte> esp, EspArrival arrival = EspArrival.Udp);
}
