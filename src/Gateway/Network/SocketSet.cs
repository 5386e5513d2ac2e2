using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Transport;
using Gateway.DataPlane;
using Gateway.Esp;

namespace Gateway.Network;

/// <summary>
/// All sockets of the node — UDP 500 and 4500 and raw ESP per listen address — and sending through them:
/// <see cref="IIkeTransport"/> (adds the non-ESP marker on 4500) and <see cref="IEspSender"/>. A datagram leaves from
/// the socket bound to its local address (or the family's wildcard socket) with that address as its source.
/// </summary>
public sealed class SocketSet : IIkeTransport, IEspSender, IDisposable
{
    private readonly GatewaySocket[] _sockets;

    private SocketSet(GatewaySocket[] sockets, int ikePort, int natPort)
    {
        _sockets = sockets;
        IkePort = ikePort;
        NatTraversalPort = natPort;
    }

    public IReadOnlyList<GatewaySocket> Sockets => _sockets;
    public int IkePort { get; }
    public int NatTraversalPort { get; }

    /// <summary>Binds every socket, or throws (and closes what was opened) naming the one that failed.</summary>
    /// <param name="sharePorts">SO_REUSEPORT on UDP 500/4500, for several nodes on one host (see <see cref="GatewaySocket.Open"/>).</param>
    /// <param name="bind">False: bind later with <see cref="BindAll"/> (see <see cref="GatewaySocket.Open"/>).</param>
    public static SocketSet Open(IEnumerable<IPAddress> listen, int ikePort, int natPort, bool rawEsp, bool sharePorts = false, bool bind = true)
    {
        var opened = new List<GatewaySocket>();
        try
        {
            foreach (IPAddress address in listen)
            {
                opened.Add(OpenOne(address, ikePort, SocketRole.Ike, sharePorts, bind));
                opened.Add(OpenOne(address, natPort, SocketRole.NatTraversal, sharePorts, bind));
                if (rawEsp)
                    opened.Add(OpenOne(address, 0, SocketRole.RawEsp, sharePorts, bind));
            }
            return new SocketSet([.. opened], ikePort, natPort);
        }
        catch
        {
            foreach (GatewaySocket s in opened)
                s.Dispose();
            throw;
        }
    }

    private static GatewaySocket OpenOne(IPAddress address, int port, SocketRole role, bool sharePort, bool bind)
    {
        try
        {
            return GatewaySocket.Open(address, port, role, sharePort, bind);
        }
        catch (SocketException e)
        {
            throw CannotOpen(address, port, role, e);
        }
    }

    /// <summary>Binds the sockets opened with bind: false.</summary>
    public void BindAll()
    {
        foreach (GatewaySocket s in _sockets)
        {
            try
            {
                s.Bind();
            }
            catch (SocketException e)
            {
                throw CannotOpen(s.Bound.Address, s.Bound.Port, s.Role, e);
            }
        }
    }

    private static IOException CannotOpen(IPAddress address, int port, SocketRole role, SocketException e)
    {
        string what = role == SocketRole.RawEsp ? $"raw ESP socket on {address}" : $"UDP {FormatEndpoint(address, port)}";
        string hint = e.SocketErrorCode == SocketError.AccessDenied ? " (run as root, or grant CAP_NET_BIND_SERVICE and CAP_NET_RAW)"
            : e.SocketErrorCode == SocketError.AddressAlreadyInUse ? " (another IKE daemon running?)" : "";
        return new IOException($"cannot open {what}: {e.Message}{hint}", e);
    }

    /// <summary>IKE: on the NAT-T port the non-ESP marker goes in front (RFC 3948 §2.2).</summary>
    public void Send(IkeDatagram datagram)
    {
        bool natT = datagram.Local.Port == NatTraversalPort;
        GatewaySocket? socket = Find(datagram.Local.Address, datagram.Remote.AddressFamily, natT ? SocketRole.NatTraversal : SocketRole.Ike);
        if (socket is null)
            throw new InvalidOperationException($"no socket for local {datagram.Local}");
        ReadOnlySpan<byte> message = datagram.Message.Span;
        if (!natT)
        {
            if (!NativeSocket.Send(socket.Fd, message, datagram.Remote, datagram.Local.Address))
                throw new IOException($"sending IKE to {datagram.Remote} failed");
            return;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(message.Length + UdpEncapsulation.NonEspMarkerLength);
        try
        {
            int length = UdpEncapsulation.FrameIke(message, buffer);
            if (!NativeSocket.Send(socket.Fd, buffer.AsSpan(0, length), datagram.Remote, datagram.Local.Address))
                throw new IOException($"sending IKE to {datagram.Remote} failed");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>ESP: in UDP from our NAT-T port, or raw protocol 50 (the kernel adds the IP header).</summary>
    public bool Send(ReadOnlySpan<byte> espPacket, IPEndPoint local, PeerPath path)
    {
        IPEndPoint remote = path.Remote;
        GatewaySocket? socket = Find(local.Address, remote.AddressFamily, path.UdpEncapsulated ? SocketRole.NatTraversal : SocketRole.RawEsp);
        if (socket is null)
            return false;
        // Raw sockets take port 0 in the destination; the remote endpoint of a non-NAT peer may carry 500.
        IPEndPoint destination = path.UdpEncapsulated || remote.Port == 0 ? remote : RawDestination(remote);
        return NativeSocket.Send(socket.Fd, espPacket, destination, local.Address);
    }

    // Allocates: only for raw ESP to peers whose endpoint carries a port, i.e. until the SA path is created with port 0.
    private static IPEndPoint RawDestination(IPEndPoint remote) => new(remote.Address, 0);

    /// <summary>The socket bound to <paramref name="local"/> for the role, else that family's wildcard socket, else any of the family.</summary>
    private GatewaySocket? Find(IPAddress local, AddressFamily family, SocketRole role)
    {
        GatewaySocket? wildcard = null, any = null;
        foreach (GatewaySocket s in _sockets)
        {
            if (s.Role != role || s.Family != family)
                continue;
            if (s.Bound.Address.Equals(local))
                return s;
            if (s.IsWildcard)
                wildcard ??= s;
            any ??= s;
        }
        return wildcard ?? any;
    }

    /// <summary>"0.0.0.0:500, [::]:500, ..." for the ready line.</summary>
    public string Describe() => string.Join(", ", _sockets.Select(s => s.ToString()));

    private static string FormatEndpoint(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    public void Dispose()
    {
        foreach (GatewaySocket s in _sockets)
            s.Dispose();
    }
}
