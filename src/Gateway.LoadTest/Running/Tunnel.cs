using Gateway.Core.Initiator;
using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Running;

/// <summary>One tunnel in the run: its machine behind a lock (answers and timer ticks come from different threads).</summary>
internal sealed class Tunnel : IDisposable
{
    private readonly object _gate = new();
    private readonly IkeInitiator _machine;
    private readonly SourceSocket _socket;
    private readonly RunStatistics _stats;
    private readonly DateTime _runStart;
    private readonly Action<Tunnel, ulong> _spiChanged;
    private int _handshakeDone;

    public Tunnel(IkeInitiator machine, SourceSocket socket, RunStatistics stats, DateTime runStart, Action<Tunnel, ulong> spiChanged)
    {
        _machine = machine;
        _socket = socket;
        _stats = stats;
        _runStart = runStart;
        _spiChanged = spiChanged;
        Spi = machine.SpiI;
    }

    public ulong Spi { get; private set; }
    public DateTime? Deadline { get; private set; }
    public InitiatorPhase Phase { get { lock (_gate) return _machine.Phase; } }

    /// <summary>Called once, when the handshake ends either way (the runner's in-flight count).</summary>
    public Action? HandshakeDone { get; set; }

    public void Start(DateTime now) => Run(m => m.Start(now), now);
    public void Receive(ReadOnlyMemory<byte> message, DateTime now) => Run(m => m.Receive(message, now), now);
    public void Tick(DateTime now) => Run(m => m.Tick(now), now);
    public void Close(DateTime now) => Run(m => m.Close(now), now);

    private void Run(Func<IkeInitiator, InitiatorStep> input, DateTime now)
    {
        InitiatorStep step;
        ulong spi;
        lock (_gate)
        {
            step = input(_machine);
            Deadline = step.Deadline;
            spi = _machine.SpiI;
        }
        if (spi != Spi)
        {
            ulong old = Spi;
            Spi = spi;
            _spiChanged(this, old); // a redirect starts a new IKE SA with a new SPI
        }
        foreach (var d in step.Send)
            _socket.Send(d);
        foreach (var e in step.Events)
            Report(e, now);
    }

    private void Report(InitiatorEvent e, DateTime now)
    {
        var sinceStart = now - _runStart;
        switch (e)
        {
            case TunnelEstablished established:
                _stats.TunnelEstablished(established.Elapsed, sinceStart);
                EndHandshake();
                break;
            case TunnelFailed failed:
                _stats.TunnelFailed(failed.Reason.ToString(), sinceStart);
                EndHandshake();
                break;
            case CookieRequested:
                _stats.CookieRound();
                break;
            case KeGroupRequested:
                _stats.KeRetry();
                break;
            case RedirectFollowed:
                _stats.Redirect();
                break;
            case TunnelClosed:
                _stats.TunnelClosed();
                break;
        }
    }

    private void EndHandshake()
    {
        if (Interlocked.Exchange(ref _handshakeDone, 1) == 1)
            return;
        HandshakeDone?.Invoke();
    }

    public void Dispose()
    {
        lock (_gate)
            _machine.Dispose();
    }
}
