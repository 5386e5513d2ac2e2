using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Initiator;

namespace Gateway.LoadTest.Running;

/// <summary>
/// One UDP socket per source address, shared by all tunnels from that address (as many clients behind one NAT would
/// be): IKE to the gateway's 500 and, after the float, to 4500 with the non-ESP marker, and ESP in UDP 4500
/// (RFC 3948). IKE messages are handed on with our SPI (the initiator SPI field, or the responder SPI field on an SA the
/// gateway rekeyed), ESP packets whole.
/// </summary>
internal sealed class SourceSocket : IDisposable
{
    private readonly Socket _socket;

    public SourceSocket(IPAddress address)
    {
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 4 << 20; // bursts of answers from many tunnels at once
        _socket.Bind(new IPEndPoint(address, 0));
        Local = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint Local { get; }

    public void Send(InitiatorDatagram datagram)
    {
        try
        {
            if (!datagram.NonEspMarker)
            {
                _socket.SendTo(datagram.Message, datagram.To);
                return;
            }
            var framed = new byte[4 + datagram.Message.Length]; // 4 zero bytes: IKE, not ESP (RFC 3948 §2.2)
            datagram.Message.CopyTo(framed, 4);
            _socket.SendTo(framed, datagram.To);
        }
        catch (SocketException)
        {
            // A lost datagram, as on any network: the machine retransmits.
        }
    }

    /// <summary>Sends one ESP packet in UDP (no marker: its SPI is never zero); false when the socket refused it.</summary>
    public bool SendEsp(ReadOnlySpan<byte> esp, IPEndPoint gateway)
    {
        try
        {
            _socket.SendTo(esp, SocketFlags.None, gateway);
            return true;
        }
        catch (SocketException)
        {
            return false; // e.g. the send buffer is full: a lost packet, counted
        }
    }

    /// <summary>
    /// Receives until cancelled, calling <paramref name="deliver"/> with (our IKE SPI, IKE message) and
    /// <paramref name="deliverEsp"/> with ESP packets from port 4500. Blocks: run it on a thread of its own. A blocked
    /// receive wakes its thread directly, where an asynchronous one woke the socket engine's thread, which then woke a
    /// thread-pool worker: two thread switches per datagram instead of one, the larger part of the generator's
    /// kernel time (docs/loadtest.md, generator).
    /// </summary>
    public void ReceiveLoop(Action<ulong, ReadOnlyMemory<byte>> deliver, Action<ReadOnlyMemory<byte>> deliverEsp, CancellationToken cancel)
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(Local.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        _socket.ReceiveTimeout = (int)CancelCheck.TotalMilliseconds;
        while (!cancel.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // the timeout (look at the token again); ICMP errors on some stacks
            var data = buffer.AsMemory(0, received);
            if (((IPEndPoint)from).Port == 4500)
            {
                if (data.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(data.Span) != 0)
                {
                    deliverEsp(data);
                    continue;
                }
                data = data[4..];
            }
            if (data.Length < 28)
                continue;
            // The machine copies what it keeps, so the buffer can be reused after this call. Flags byte 19, I = 0x08:
            // a message from the SA's original initiator carries our SPI second (the gateway rekeyed the IKE SA).
            bool fromOriginalInitiator = (data.Span[19] & 0x08) != 0;
            deliver(BinaryPrimitives.ReadUInt64BigEndian(data.Span[(fromOriginalInitiator ? 8 : 0)..]), data);
        }
    }

    /// <summary>How long a receive blocks before the loop looks at its cancellation token again.</summary>
    private static readonly TimeSpan CancelCheck = TimeSpan.FromMilliseconds(200);

    public void Dispose() => _socket.Dispose();
}
