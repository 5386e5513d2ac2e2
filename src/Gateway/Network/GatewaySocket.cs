using System.Net;
using System.Net.Sockets;

namespace Gateway.Network;

/// <summary>What a socket carries, which decides how its datagrams are demultiplexed.</summary>
public enum SocketRole
{
    /// <summary>UDP 500: IKE only.</summary>
    Ike,
    /// <summary>UDP 4500: IKE after the non-ESP marker, NAT keepalives, ESP (RFC 3948).</summary>
    NatTraversal,
    /// <summary>Raw IP protocol 50: ESP (IPv4 receives include the IP header).</summary>
    RawEsp,
    /// <summary>UDP between the nodes of one host: ESP another node received for an SA this node owns (see EspForwarder).</summary>
    EspForward,
}

/// <summary>
/// One bound socket: created and configured with .NET's Socket, then read and written through
/// <see cref="NativeSocket"/> on its descriptor (for the local address of each datagram and source address choice).
/// </summary>
public sealed class GatewaySocket : IDisposable
{
    private GatewaySocket(Socket socket, SocketRole role, IPEndPoint bound)
    {
        Socket = socket;
        Role = role;
        Bound = bound;
    }

    public Socket Socket { get; }
    public SocketRole Role { get; }

    /// <summary>The address and port bound (port 0 for raw sockets); the address may be a wildcard.</summary>
    public IPEndPoint Bound { get; }

    public AddressFamily Family => Bound.AddressFamily;

    public int Fd => (int)Socket.SafeHandle.DangerousGetHandle();

    public bool IsBound { get; private set; }

    /// <summary>Binds to <see cref="Bound"/> (once).</summary>
    public void Bind()
    {
        if (IsBound)
            return;
        Socket.Bind(Bound);
        IsBound = true;
    }

    public bool IsWildcard => Bound.Address.Equals(IPAddress.Any) || Bound.Address.Equals(IPAddress.IPv6Any);

    /// <param name="sharePort">
    /// SO_REUSEPORT on the UDP sockets: several gateway nodes on one host bind the same address and port and the kernel
    /// spreads client flows (by a hash of addresses and ports) across them, as an ECMP router would across hosts.
    /// </param>
    /// <param name="bind">
    /// False: configured but not yet bound (<see cref="Bind"/> later) — a node sharing the address joins the kernel's
    /// SO_REUSEPORT group only once it knows which node owns which SA, or the flows moved to it would be lost.
    /// </param>
    public static GatewaySocket Open(IPAddress address, int port, SocketRole role, bool sharePort = false, bool bind = true)
    {
        bool raw = role == SocketRole.RawEsp;
        Socket socket = raw ? NativeSocket.OpenRaw(address.AddressFamily, 50) : new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // IPV6_V6ONLY: "::" must not claim the IPv4 port too, so the 0.0.0.0 socket can coexist.
                // (Raw sockets are per-family already, and the kernel refuses the option on them.)
                if (!raw)
                    socket.DualMode = false;
                socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true); // IPV6_RECVPKTINFO
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true); // IP_PKTINFO
            }
            // Bursts of IKE_SA_INIT and line-rate ESP: a larger buffer rides out scheduling hiccups of the receive thread.
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            if (sharePort && !raw)
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            var gatewaySocket = new GatewaySocket(socket, role, new IPEndPoint(address, raw ? 0 : port));
            if (bind)
                gatewaySocket.Bind();
            return gatewaySocket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private const int SolSocket = 1, SoReusePort = 15; // Linux values; .NET names no SO_REUSEPORT

    public override string ToString() => Role switch
    {
        SocketRole.RawEsp => $"esp:{Bound.Address}",
        SocketRole.EspForward => $"forward:{Bound}",
        _ => $"udp:{Bound}",
    };

    public void Dispose() => Socket.Dispose();
}
