namespace Gateway.Core.Metrics;

/// <summary>Thread-safe counters in memory, for tests and for a host without Prometheus.</summary>
public sealed class InMemoryGatewayMetrics : IGatewayMetrics
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private int _halfOpen;
    private int _established;
    private int _childSas;
    private long _ikeSaFaults;
    private long _childSaFaults;
    private long _peerMoves;
    private long _peerMovesRefused;
    private readonly long[] _liveness = new long[Enum.GetValues<IkeSa.LivenessState>().Length];
    private long _childRekeys;
    private long _ikeRekeys;
    private long _cookiesSent;
    private long _cookiesValidated;
    private long _cookiesInvalid;
    private long _saInitRedirects;
    private long _ikeSaRedirects;
    private long _initialContactReplacements;
    private long _leasesReclaimed;

    public long Drops(DropReason reason) => Interlocked.Read(ref _drops[(int)reason]);
    public int HalfOpen => Volatile.Read(ref _halfOpen);
    public int Established => Volatile.Read(ref _established);
    public int ChildSas => Volatile.Read(ref _childSas);
    public long IkeSaFaults => Interlocked.Read(ref _ikeSaFaults);
    public long ChildSaFaults => Interlocked.Read(ref _childSaFaults);
    public long PeerMoves => Interlocked.Read(ref _peerMoves);
    public long PeerMovesRefused => Interlocked.Read(ref _peerMovesRefused);
    public long LivenessChanges(IkeSa.LivenessState state) => Interlocked.Read(ref _liveness[(int)state]);
    public long ChildRekeys => Interlocked.Read(ref _childRekeys);
    public long IkeRekeys => Interlocked.Read(ref _ikeRekeys);
    public long CookiesSent => Interlocked.Read(ref _cookiesSent);
    public long CookiesValidated => Interlocked.Read(ref _cookiesValidated);
    public long CookiesInvalid => Interlocked.Read(ref _cookiesInvalid);
    public long SaInitRedirects => Interlocked.Read(ref _saInitRedirects);
    public long IkeSaRedirects => Interlocked.Read(ref _ikeSaRedirects);
    public long InitialContactReplacements => Interlocked.Read(ref _initialContactReplacements);
    public long LeasesReclaimed => Interlocked.Read(ref _leasesReclaimed);

    public void Dropped(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);
    public void HalfOpenSas(int current) => Volatile.Write(ref _halfOpen, current);
    public void EstablishedSasChanged(int delta) => Interlocked.Add(ref _established, delta);
    public void ChildSasChanged(int delta) => Interlocked.Add(ref _childSas, delta);
    public void IkeSaFaulted() => Interlocked.Increment(ref _ikeSaFaults);
    public void ChildSaFaulted() => Interlocked.Increment(ref _childSaFaults);
    public void PeerAddressChanged() => Interlocked.Increment(ref _peerMoves);
    public void PeerAddressChangeRefused() => Interlocked.Increment(ref _peerMovesRefused);
    public void LivenessStateChanged(IkeSa.LivenessState state) => Interlocked.Increment(ref _liveness[(int)state]);
    public void ChildSaRekeyed() => Interlocked.Increment(ref _childRekeys);
    public void IkeSaRekeyed() => Interlocked.Increment(ref _ikeRekeys);
    public void CookieSent() => Interlocked.Increment(ref _cookiesSent);
    public void CookieValidated() => Interlocked.Increment(ref _cookiesValidated);
    public void CookieInvalid() => Interlocked.Increment(ref _cookiesInvalid);
    public void SaInitRedirected() => Interlocked.Increment(ref _saInitRedirects);
    public void IkeSaRedirected() => Interlocked.Increment(ref _ikeSaRedirects);
    public void IkeSaReplacedByInitialContact() => Interlocked.Increment(ref _initialContactReplacements);
    public void AddressLeasesReclaimed(int count) => Interlocked.Add(ref _leasesReclaimed, count);
}
