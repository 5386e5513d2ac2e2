using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Interop.Tests.Lab;

/// <summary>
/// A low-rate UDP stream per tunnel through the gateway and back: every client sends a numbered datagram every 50 ms
/// to an echo socket on the server, which returns it; the client checks the returned bytes (content) and notes when
/// each number came back. From that, per tunnel and per event (a node killed or rolled): how long the tunnel carried
/// nothing (time to resume) and which datagrams never came back (bytes lost, round trip). Both directions go through
/// the node that owns the client's SA (ESP in, and the host route of the virtual address out).
/// </summary>
public sealed class EchoStreams : IDisposable
{
    public const int Port = 7007;
    public const int PayloadLength = 160;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Socket _server;
    private readonly List<Stream> _streams = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _echo;
    private readonly Thread _sender;
    private volatile bool _stopping;

    public EchoStreams(string serverNs, string serverAddress)
    {
        _server = NetNs.Run(serverNs, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
            s.Bind(new IPEndPoint(IPAddress.Parse(serverAddress), Port));
            return s;
        });
        _echo = new Thread(Echo) { IsBackground = true, Name = "echo-server" };
        _echo.Start();
        _sender = new Thread(Send) { IsBackground = true, Name = "echo-sender" };
        _sender.Start();
    }

    /// <summary>Seconds on the streams' clock.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    public IReadOnlyList<Stream> All
    {
        get
        {
            lock (_streams)
                return [.. _streams];
        }
    }

    /// <summary>Starts a stream from a client namespace (its tunnel must be up: the source is its virtual address).</summary>
    public Stream Add(int tunnel, string clientNs, string virtualIp, string serverAddress)
    {
        Socket socket = NetNs.Run(clientNs, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
            s.Bind(new IPEndPoint(IPAddress.Parse(virtualIp), 0));
            s.Connect(new IPEndPoint(IPAddress.Parse(serverAddress), Port));
            return s;
        });
        var stream = new Stream(this, tunnel, virtualIp, socket);
        lock (_streams)
            _streams.Add(stream);
        stream.StartReceiving();
        return stream;
    }

    /// <summary>True when every stream had a datagram back within <paramref name="within"/> seconds.</summary>
    public bool AllFlowing(double within) => All.All(s => Now - s.LastArrival < within);

    private void Echo()
    {
        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            try
            {
                int n = _server.ReceiveFrom(buffer, ref from);
                _server.SendTo(buffer.AsSpan(0, n), SocketFlags.None, from);
            }
            catch (SocketException)
            {
                // timeout (checks _stopping) or a send refused while a tunnel is down
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void Send()
    {
        long next = 0;
        while (!_stopping)
        {
            foreach (Stream s in All)
                s.SendNext();
            next += Interval.Ticks;
            TimeSpan wait = TimeSpan.FromTicks(next) - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
                Thread.Sleep(wait);
        }
    }

    public static void Fill(int tunnel, uint seq, Span<byte> payload)
    {
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)tunnel);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], seq);
        for (int i = 6; i < payload.Length; i++)
            payload[i] = (byte)(tunnel * 31 + seq * 7 + i);
    }

    public void Dispose()
    {
        _stopping = true;
        _sender.Join(TimeSpan.FromSeconds(2));
        _echo.Join(TimeSpan.FromSeconds(2));
        foreach (Stream s in All)
            s.Dispose();
        _server.Dispose();
    }

    /// <summary>One tunnel's stream: send times and return times by sequence number, corrupted returns.</summary>
    public sealed class Stream : IDisposable
    {
        private readonly EchoStreams _owner;
        private readonly Socket _socket;
        private readonly List<double> _sent = [];
        private readonly Dictionary<uint, double> _returned = [];
        private readonly List<double> _arrivals = [];
        private readonly Thread _receiver;
        private int _corrupt;

        internal Stream(EchoStreams owner, int tunnel, string virtualIp, Socket socket)
        {
            _owner = owner;
            Tunnel = tunnel;
            VirtualIp = virtualIp;
            _socket = socket;
            _receiver = new Thread(Receive) { IsBackground = true, Name = $"echo-{tunnel}" };
        }

        public int Tunnel { get; }
        public string VirtualIp { get; }
        public int Corrupt => Volatile.Read(ref _corrupt);

        public double LastArrival
        {
            get
            {
                lock (_arrivals)
                    return _arrivals.Count == 0 ? double.NegativeInfinity : _arrivals[^1];
            }
        }

        internal void StartReceiving() => _receiver.Start();

        internal void SendNext()
        {
            Span<byte> payload = stackalloc byte[PayloadLength];
            uint seq;
            lock (_arrivals)
            {
                seq = (uint)_sent.Count;
                _sent.Add(_owner.Now);
            }
            Fill(Tunnel, seq, payload);
            try
            {
                _socket.Send(payload);
            }
            catch (SocketException)
            {
                // the client's tunnel is down for a moment: counted as lost when it does not come back
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private void Receive()
        {
            byte[] buffer = new byte[2048];
            Span<byte> expected = stackalloc byte[PayloadLength];
            while (!_owner._stopping)
            {
                int n;
                try
                {
                    n = _socket.Receive(buffer);
                }
                catch (SocketException)
                {
                    continue;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                uint seq = n >= 6 ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(2)) : uint.MaxValue;
                Fill(Tunnel, seq, expected);
                lock (_arrivals)
                {
                    if (n != PayloadLength || seq >= _sent.Count || !buffer.AsSpan(0, n).SequenceEqual(expected))
                    {
                        _corrupt++;
                        continue;
                    }
                    _returned.TryAdd(seq, _owner.Now);
                    _arrivals.Add(_owner.Now);
                }
            }
        }

        /// <summary>
        /// What the event at <paramref name="t0"/> did to this tunnel, looking at [t0 − 1 s, <paramref name="end"/>]:
        /// the longest silence between two returns; if it exceeds 0.5 s (ten send intervals) the tunnel was
        /// interrupted and resumed when that silence ended (seconds after t0). Lost: datagrams sent in
        /// [t0 − 1 s, end − 1 s] that never came back.
        /// </summary>
        public TunnelOutcome Measure(double t0, double end)
        {
            lock (_arrivals)
            {
                var times = _arrivals.Where(t => t >= t0 - 1 && t <= end).ToList();
                double longest = 0, resumedAt = t0;
                for (int i = 1; i < times.Count; i++)
                {
                    if (times[i] - times[i - 1] > longest)
                    {
                        longest = times[i] - times[i - 1];
                        resumedAt = times[i];
                    }
                }
                bool interrupted = longest > 0.5 || times.Count == 0;
                int lost = 0;
                for (int seq = 0; seq < _sent.Count; seq++)
                    if (_sent[seq] >= t0 - 1 && _sent[seq] <= end - 1 && !_returned.ContainsKey((uint)seq))
                        lost++;
                return new TunnelOutcome(Tunnel, VirtualIp, interrupted, interrupted ? Math.Max(0, resumedAt - t0) : 0,
                    interrupted ? longest : 0, times.Count > 0 && times[^1] > end - 1, lost, (long)lost * PayloadLength);
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}

/// <summary>
/// One tunnel through one event: resume = seconds from the event until the tunnel carried traffic again (0: not
/// interrupted); outage = how long it carried nothing (for a restart the move comes seconds after the event, when the
/// shards rebalance); lost = datagrams (and their payload bytes) sent that never came back, round trip.
/// </summary>
public sealed record TunnelOutcome(int Tunnel, string VirtualIp, bool Interrupted, double ResumeSeconds, double OutageSeconds,
    bool FlowingAtEnd, int LostDatagrams, long LostBytes);
