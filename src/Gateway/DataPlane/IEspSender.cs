using System.Net;
using Gateway.Esp;

namespace Gateway.DataPlane;

/// <summary>Sends a sealed ESP packet to a peer: in UDP 4500 or as raw IP protocol 50, as the path says.</summary>
public interface IEspSender
{
    /// <summary>False when the kernel refused the packet (the caller counts the drop). Must not block.</summary>
    /// <param name="local">Our address the SA uses (the source of the packet); any-address lets the kernel choose.</param>
    bool Send(ReadOnlySpan<byte> espPacket, IPEndPoint local, PeerPath path);
}

/// <summary>Where verified inner packets go: the TUN device (a fake in tests).</summary>
public interface IInnerPacketSink
{
    bool TryWrite(ReadOnlySpan<byte> packet);
}

/// <summary>Takes ESP for an SPI this node has no SA for; false: nobody owns it (the caller counts an unknown SPI).</summary>
public interface IUnownedEsp
{
    bool Handle(uint spi, ReadOnlySpan<byte> esp, Network.EspArrival arrival);
}
