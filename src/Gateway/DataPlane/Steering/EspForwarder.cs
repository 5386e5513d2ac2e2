using System.Buffers;
using System.Net;
using Gateway.Metrics;
using Gateway.Network;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// ESP this node received for an SA it does not own (<see cref="IUnownedEsp"/>):
/// <list type="bullet">
/// <item>UDP 4500 — the kernel's SO_REUSEPORT hash chose this node for the client's flow: sent on to the owner's forward
/// socket (<see cref="EspForwardFrame"/>), one copy and one sendmsg, no actor.</item>
/// <item>raw protocol 50 — every node's raw socket gets a copy: the owner handles it, the others ignore theirs
/// silently (not an error); counted as unknown only when no node owns the SPI.</item>
/// <item>forwarded by another node — never forwarded again (a stale map must not make a loop): unknown.</item>
/// </list>
/// </summary>
public sealed class EspForwarder(GatewaySocket socket, EspOwnerMap owners, GatewayMetrics metrics) : IUnownedEsp
{
    public GatewaySocket Socket => socket;

    public IPEndPoint Endpoint => socket.Bound;

    public bool Handle(uint spi, ReadOnlySpan<byte> esp, EspArrival arrival)
    {
        if (arrival == EspArrival.Forwarded || !owners.TryGetOwner(spi, out IPEndPoint? owner) || owner is null)
            return false;
        if (arrival == EspArrival.Raw)
            return true;
        byte[] frame = ArrayPool<byte>.Shared.Rent(esp.Length + EspForwardFrame.HeaderLength);
        try
        {
            int length = EspForwardFrame.Write(esp, frame);
            if (NativeSocket.Send(socket.Fd, frame.AsSpan(0, length), owner, socket.Bound.Address))
                metrics.EspForwardedOut.Inc();
            else
                metrics.Drop(PacketDrop.SendFailed); // the owner died; its SAs resume elsewhere and are re-announced
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
        return true;
    }
}
