using System.Collections.Concurrent;
using System.Net;
using Gateway.Core.Transport;
using Gateway.DataPlane;
using Gateway.Esp;
using Gateway.Network;

namespace Gateway.Tests;

internal sealed class FakeTun : IInnerPacketSink
{
    public ConcurrentQueue<byte[]> Written { get; } = new();

    public bool TryWrite(ReadOnlySpan<byte> packet)
    {
        Written.Enqueue(packet.ToArray());
        return true;
    }
}

internal sealed record SentEsp(byte[] Packet, IPEndPoint Local, PeerPath Path);

internal sealed class FakeSender : IEspSender
{
    public ConcurrentQueue<SentEsp> Sent { get; } = new();

    public bool Send(ReadOnlySpan<byte> espPacket, IPEndPoint local, PeerPath path)
    {
        Sent.Enqueue(new SentEsp(espPacket.ToArray(), local, path));
        return true;
    }
}

internal sealed class FakeIngress : IIkeIngress
{
    public ConcurrentQueue<IkeDatagram> Received { get; } = new();

    public void Receive(IkeDatagram datagram) => Received.Enqueue(datagram);
}

internal sealed class FakeEspReceiver : IEspReceiver
{
    public ConcurrentQueue<byte[]> Received { get; } = new();

    public void ReceiveEsp(ReadOnlySpan<byte> esp, EspArrival arrival = EspArrival.Udp) => Received.Enqueue(esp.ToArray());
}

internal static class Eventually
{
    public static void True(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"timed out waiting for: {what}");
            Thread.Sleep(10);
        }
    }
}
