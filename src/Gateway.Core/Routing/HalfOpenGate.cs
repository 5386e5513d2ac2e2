using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Core.Metrics;

namespace Gateway.Core.Routing;

/// <summary>What the gate decided for an IKE_SA_INIT request.</summary>
public enum HalfOpenAdmission
{
    /// <summary>A new half-open SA: the entity is created with the returned SPI.</summary>
    New,

    /// <summary>A retransmission (same peer address and initiator SPI): it goes to the SA created before.</summary>
    Retransmission,

    /// <summary>The table is full: drop (cookies, RFC 7296 §2.6, come later).</summary>
    Full,
}

/// <summary>
/// Node-local, bounded table of half-open IKE SAs keyed by (peer endpoint, initiator SPI), so a retransmitted
/// IKE_SA_INIT reaches the SA its first copy created instead of opening another. Entries leave when the SA is
/// established or ends (<see cref="Release"/>), or expire after <c>lifetime</c>, which bounds the memory an
/// unauthenticated peer can hold. Thread-safe; called from socket receive loops and from actors. A lock is enough:
/// IKE_SA_INIT rates are far below what a lock can serve, and the critical sections are a few dictionary operations.
/// </summary>
public sealed class HalfOpenGate
{
    private readonly record struct Key(IPEndPoint Remote, ulong InitiatorSpi);

    private sealed record Entry(Key Key, DateTimeOffset Expires);

    private readonly object _lock = new();
    private readonly Dictionary<Key, ulong> _byPeer = [];
    private readonly Dictionary<ulong, Entry> _bySpi = [];
    // Half-open SAs per session id (almost always one): lets a session entity tell it is being opened right now.
    private readonly Dictionary<ulong, int> _sessions = [];
    // Admission order equals expiry order (one lifetime for all), so expiry is a sweep from the head.
    private readonly Queue<(ulong Spi, Entry Entry)> _expiry = new();
    private readonly int _capacity;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly IResponderSpiSource _spis;
    private readonly IGatewayMetrics _metrics;

    public HalfOpenGate(int capacity, TimeSpan lifetime, TimeProvider clock, IResponderSpiSource spis, IGatewayMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        _capacity = capacity;
        _lifetime = lifetime;
        _clock = clock;
        _spis = spis;
        _metrics = metrics;
    }

    public int Count
    {
        get { lock (_lock) { Sweep(); return _bySpi.Count; } }
    }

    /// <summary>Decides where an IKE_SA_INIT request (responder SPI 0) goes; <paramref name="responderSpi"/> is 0 when full.</summary>
    public HalfOpenAdmission Admit(IPEndPoint remote, ulong initiatorSpi, out ulong responderSpi)
    {
        // Our own copy: IPEndPoint is mutable and the caller may reuse it.
        var key = new Key(new IPEndPoint(remote.Address, remote.Port), initiatorSpi);
        lock (_lock)
        {
            Sweep();
            if (_byPeer.TryGetValue(key, out responderSpi))
                return HalfOpenAdmission.Retransmission;
            if (_bySpi.Count >= _capacity)
            {
                responderSpi = 0;
                return HalfOpenAdmission.Full;
            }

            do responderSpi = _spis.Next();
            while (_bySpi.ContainsKey(responderSpi));

            var entry = new Entry(key, _clock.GetUtcNow() + _lifetime);
            _byPeer.Add(key, responderSpi);
            _bySpi.Add(responderSpi, entry);
            CollectionsMarshal.GetValueRefOrAddDefault(_sessions, SpiShardMap.SessionOf(responderSpi), out _)++;
            _expiry.Enqueue((responderSpi, entry));
            _metrics.HalfOpenSas(_bySpi.Count);
            return HalfOpenAdmission.New;
        }
    }

    /// <summary>
    /// The responder SPI of the half-open SA this peer endpoint and initiator SPI opened, if it still is half-open:
    /// lets the ingress send a retransmitted IKE_SA_INIT to its SA before any cookie check. Never admits anything.
    /// </summary>
    public bool TryFindHalfOpen(IPEndPoint remote, ulong initiatorSpi, out ulong responderSpi)
    {
        lock (_lock)
        {
            Sweep();
            return _byPeer.TryGetValue(new Key(remote, initiatorSpi), out responderSpi);
        }
    }

    /// <summary>The SA got established or ended: it no longer counts as half-open. Unknown SPIs are ignored.</summary>
    public void Release(ulong responderSpi)
    {
        lock (_lock)
        {
            if (_bySpi.Remove(responderSpi, out var entry))
            {
                _byPeer.Remove(entry.Key);
                ForgetSession(responderSpi);
                _metrics.HalfOpenSas(_bySpi.Count);
            }

            // Released entries leave stale queue items until they expire; quick churn (SAs that fail at once) must
            // not grow the queue without bound, so drop the stale items once they outnumber the live ones.
            if (_expiry.Count > 2 * _capacity)
                Compact();
        }
    }

    /// <summary>
    /// True while an IKE_SA_INIT admitted here is opening <paramref name="session"/> (a half-open SA of it is held and
    /// not expired). Only a hint: the entry is released on the node hosting the session, so when another node hosts
    /// it the entry here outlives the handshake until it expires (see <see cref="Sessions.SessionActor"/>).
    /// </summary>
    public bool IsOpening(ulong session)
    {
        lock (_lock)
        {
            Sweep();
            return _sessions.ContainsKey(session);
        }
    }

    private void ForgetSession(ulong responderSpi)
    {
        ulong session = SpiShardMap.SessionOf(responderSpi);
        ref int count = ref CollectionsMarshal.GetValueRefOrNullRef(_sessions, session);
        if (!Unsafe.IsNullRef(ref count) && --count == 0)
            _sessions.Remove(session);
    }

    private void Compact()
    {
        var live = _expiry.Where(item => _bySpi.TryGetValue(item.Spi, out var e) && ReferenceEquals(e, item.Entry)).ToArray();
        _expiry.Clear();
        foreach (var item in live)
            _expiry.Enqueue(item);
    }

    private void Sweep()
    {
        var now = _clock.GetUtcNow();
        bool changed = false;
        while (_expiry.TryPeek(out var head) && head.Entry.Expires <= now)
        {
            _expiry.Dequeue();
            // Only the entry this queue item was made for; a released SPI may have been reused since.
            if (_bySpi.TryGetValue(head.Spi, out var current) && ReferenceEquals(current, head.Entry))
            {
                _bySpi.Remove(head.Spi);
                _byPeer.Remove(head.Entry.Key);
                ForgetSession(head.Spi);
                changed = true;
            }
        }

        if (changed)
            _metrics.HalfOpenSas(_bySpi.Count);
    }
}
