using Gateway.Esp;

namespace Gateway.Network;

/// <summary>Handles one received datagram; the span is only valid during the call.</summary>
public delegate void DatagramHandler(GatewaySocket socket, ReadOnlySpan<byte> datagram, PacketEndpoint remote, InnerAddress local);

/// <summary>
/// A dedicated thread per socket that receives into one reusable buffer and hands each datagram to the demultiplexer
/// on the same thread (no queue, no allocation). poll(2) with a short timeout lets Stop end the thread promptly.
/// </summary>
internal sealed class ReceiveLoop : IDisposable
{
    private const int MaxDatagram = 65535;
    private readonly GatewaySocket _socket;
    private readonly DatagramHandler _handler;
    private readonly Action<Exception> _onError;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ReceiveLoop(GatewaySocket socket, DatagramHandler handler, Action<Exception> onError)
    {
        _socket = socket;
        _handler = handler;
        _onError = onError;
        _thread = new Thread(Run) { IsBackground = true, Name = "recv " + socket };
    }

    public void Start() => _thread.Start();

    private void Run()
    {
        byte[] buffer = new byte[MaxDatagram];
        int fd = _socket.Fd;
        while (!_stopping)
        {
            if (!NativeSocket.WaitReadable(fd, 200))
                continue;
            int n = NativeSocket.Receive(fd, buffer, out PacketEndpoint remote, out InnerAddress local, out bool truncated);
            if (n < 0 || truncated)
                continue; // EAGAIN after a spurious wake-up, or a datagram larger than any IKE/ESP packet we accept
            try
            {
                _handler(_socket, buffer.AsSpan(0, n), remote, local);
            }
            catch (Exception e)
            {
                // One bad datagram must never end the loop (and with it the gateway's reachability).
                _onError(e);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
            _thread.Join(TimeSpan.FromSeconds(2));
    }
}
