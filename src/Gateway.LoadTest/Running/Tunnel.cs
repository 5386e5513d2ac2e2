using Gateway.Core.Initiator;
using Gateway.LoadTest.Stats;
using Gateway.LoadTest.Traffic;

namespace Gateway.LoadTest.Running;

/// <summary>What a tunnel tells the runner: its IKE SPI changed (routing), its ESP SPIs came or went.</summary>
internal interface ITunnelHost
{
    /// <summary>Our IKE SPI changed; <paramref name="keepOld"/>: a rekey, whose old SA still gets messages until retired.</summary>
    void IkeSpiChanged(Tunnel tunnel, ulong oldSpi, bool keepOld);
    void IkeSpiRetired(Tunnel tunnel, ulong spi);
    void Established(Tunnel tunnel, TunnelEstablished established);
    void ChildInstalled(Tunnel tunnel, EstablishedChildSa child);
    void ChildRetired(Tunnel tunnel, uint inboundSpi);

    /// <summary>The tunnel's machine asked for a timer tick (<see cref="Tunnel.Deadline"/> is set).</summary>
    void DeadlineSet(Tunnel tunnel);
}

/// <summary>One tunnel in the run: its machine behind a lock (answers and timer ticks come from different threads).</summary>
internal sealed class Tunnel : IDisposable
{
    private readonly object _gate = new();
    private readonly IkeInitiator _machine;
    private readonly RunStatistics _stats;
    private readonly ExchangeStatistics _exchanges;
    private readonly DateTime _runStart;
    private readonly ITunnelHost _host;
    private SourceSocket _socket;
    private int _handshakeDone;

    public Tunnel(int index, IkeInitiator machine, SourceSocket socket, RunStatistics stats, ExchangeStatistics exchanges,
        DateTime runStart, ITunnelHost host)
    {
        Index = index;
        _machine = machine;
        _socket = socket;
        _stats = stats;
        _exchanges = exchanges;
        _runStart = runStart;
        _host = host;
        Spi = machine.LocalSpi;
    }

    public int Index { get; }
    public ulong Spi { get; private set; }
    /// <summary>When the machine wants its next tick; null: no timer (an established tunnel with nothing outstanding).</summary>
    public DateTime? Deadline => Volatile.Read(ref _deadlineTicks) is var ticks and not 0 ? new DateTime(ticks, DateTimeKind.Utc) : null;

    private long _deadlineTicks; // one word, so the scheduler reads it whole without the lock
    public InitiatorPhase Phase { get { lock (_gate) return _machine.Phase; } }

    /// <summary>The socket this tunnel sends from now (a roam moves it to another source address's socket).</summary>
    public SourceSocket Socket => Volatile.Read(ref _socket);

    /// <summary>ESP traffic, when the run sends any (set once the tunnel is up).</summary>
    public EspFlow? Flow { get; set; }

    /// <summary>When this tunnel starts its next child / IKE SA rekey (null: not asked for).</summary>
    public DateTime? NextChildRekey { get; set; }
    public DateTime? NextIkeRekey { get; set; }

    /// <summary>Called once, when the handshake ends either way (the runner's in-flight count).</summary>
    public Action? HandshakeDone { get; set; }

    public void Start(DateTime now) => Run(m => m.Start(now), now);
    public void Receive(ReadOnlyMemory<byte> message, DateTime now) => Run(m => m.Receive(message, now), now);
    public void Tick(DateTime now) => Run(m => m.Tick(now), now);
    public void Close(DateTime now) => Run(m => m.Close(now), now);

    /// <summary>Starts a child SA rekey; false when another exchange is outstanding (try again later).</summary>
    public bool RekeyChild(DateTime now) => StartExchange(InitiatorExchange.ChildRekey, m => m.RekeyChild(now), now);

    public bool RekeyIkeSa(DateTime now) => StartExchange(InitiatorExchange.IkeRekey, m => m.RekeyIkeSa(now), now);

    /// <summary>MOBIKE: sends from <paramref name="socket"/>'s address from now on; false when not possible now.</summary>
    public bool MoveTo(SourceSocket socket, DateTime now)
    {
        lock (_gate)
        {
            if (!_machine.CanStartExchange || !_machine.MobikeAgreed)
                return false;
            Volatile.Write(ref _socket, socket);
        }
        return StartExchange(InitiatorExchange.AddressUpdate, m => m.MoveTo(socket.Local, now), now);
    }

    public bool CanRoam { get { lock (_gate) return _machine.CanStartExchange && _machine.MobikeAgreed; } }

    /// <summary>Sends <paramref name="count"/> ESP packets of this tunnel's flow; returns how many could not be sent.</summary>
    public int SendEsp(int count)
    {
        if (Flow is not { } flow)
            return count;
        int failed = 0;
        var socket = Socket;
        for (int i = 0; i < count; i++)
        {
            var packet = flow.SealNext();
            if (packet.IsEmpty || !socket.SendEsp(packet, flow.Gateway))
                failed++;
        }
        return failed;
    }

    private bool StartExchange(InitiatorExchange exchange, Func<IkeInitiator, InitiatorStep> input, DateTime now)
    {
        bool started = false;
        Run(m =>
        {
            if (!m.CanStartExchange)
                return InitiatorStep.Nothing;
            var step = input(m);
            started = step.Send.Count > 0;
            return step;
        }, now);
        if (started)
            _exchanges.Started(exchange);
        return started;
    }

    private void Run(Func<IkeInitiator, InitiatorStep> input, DateTime now)
    {
        InitiatorStep step;
        ulong spi;
        lock (_gate)
        {
            step = input(_machine);
            Volatile.Write(ref _deadlineTicks, step.Deadline?.Ticks ?? 0);
            spi = _machine.LocalSpi;
        }
        if (step.Deadline is not null)
            _host.DeadlineSet(this);
        if (spi != Spi)
        {
            ulong old = Spi;
            Spi = spi;
            // A redirect starts a new IKE SA with a new SPI (the old one is gone), and so does a rekey (the old one lingers).
            _host.IkeSpiChanged(this, old, keepOld: step.Events.Any(e => e is IkeSaReplaced));
        }
        // RFC 6311: the counters move before the sync's answer leaves, so nothing sent after it is below the gateway's floor.
        foreach (var sync in step.Events.OfType<SyncRequestAnswered>())
        {
            if (sync.ReplayDelta is { } delta)
                Flow?.AdvanceOutbound(delta);
        }
        var socket = Socket;
        foreach (var d in step.Send)
            socket.Send(d);
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
                _host.Established(this, established);
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
            case ExchangeDone done:
                _exchanges.Done(done.Exchange, done.Elapsed);
                break;
            case ExchangeFailed failed:
                _exchanges.Failed(failed);
                RetrySoon(failed, now);
                break;
            case ChildSaReplaced rekeyed:
                if (rekeyed.ByGateway)
                    _exchanges.GatewayRekeyedChild();
                else
                    _exchanges.Started(InitiatorExchange.ChildDelete); // the machine deletes the old child right away
                _host.ChildInstalled(this, rekeyed.New);
                break;
            case ChildSaRetired retired:
                _host.ChildRetired(this, retired.InboundSpi);
                break;
            case IkeSaRetired retired:
                _host.IkeSpiRetired(this, retired.LocalSpi);
                break;
            case IkeSaReplaced { ByGateway: true }:
                _exchanges.GatewayRekeyedIke();
                break;
            case GatewayRequestAnswered { Exchange: Gateway.Ike.ExchangeType.Informational }:
            case SyncRequestAnswered:
                _exchanges.GatewayInformationalAnswered();
                break;
        }
    }

    /// <summary>
    /// A rekey refused because the gateway is busy with one of its own (TEMPORARY_FAILURE, RFC 7296 §2.25) or replaced
    /// the child meanwhile (CHILD_SA_NOT_FOUND) is tried again after a short wait, as a client does, not a whole interval later.
    /// </summary>
    private void RetrySoon(ExchangeFailed failed, DateTime now)
    {
        if (failed.SaLost || failed.Detail is not (nameof(Gateway.Ike.NotifyType.TemporaryFailure) or nameof(Gateway.Ike.NotifyType.ChildSaNotFound)))
            return;
        if (failed.Exchange == InitiatorExchange.ChildRekey && NextChildRekey is not null)
            NextChildRekey = now + RekeyRetryWait;
        else if (failed.Exchange == InitiatorExchange.IkeRekey && NextIkeRekey is not null)
            NextIkeRekey = now + RekeyRetryWait;
    }

    private static readonly TimeSpan RekeyRetryWait = TimeSpan.FromSeconds(1);

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
        Flow?.Dispose();
    }
}
