using System.Net;
using System.Net.Sockets;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;

namespace Gateway.Core.Addresses;

/// <summary>
/// Who holds which virtual address, as pure data (no actors, no clock): the state of the cluster's address registry
/// (<see cref="AddressRegistry"/>) and of the node-local <see cref="InMemoryResponderServices"/>.
/// <para>Every handed-out address has an owner (the identity it was last given to) and at most one holder (the session
/// using it now). Holders are sessions, not identities, so the same identity connected twice holds two addresses.
/// Released addresses stay with their owner (sticky) and go to other identities only when the pool has no never-used
/// address left, the one idle longest first. The first host address of a pool (.1, ::1) is the gateway's own; IPv4
/// network and broadcast addresses are never handed out.</para>
/// <para>Event-sourcing shape: <see cref="Choose"/> decides without changing anything, <see cref="Assign"/> and
/// <see cref="Release"/> apply the outcome, so a journal of assignments and releases rebuilds the same book.</para>
/// Not thread-safe.
/// </summary>
public sealed class AddressBook
{
    private readonly Pool? _ipv4;
    private readonly Pool? _ipv6;
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private readonly Dictionary<ulong, List<IPAddress>> _holdings = [];
    private readonly Dictionary<string, HashSet<IPAddress>> _owned = new(StringComparer.Ordinal);

    public AddressBook(AddressPools pools)
    {
        _ipv4 = pools.Ipv4 is { } v4 ? new Pool(v4) : null;
        _ipv6 = pools.Ipv6 is { } v6 ? new Pool(v6) : null;
    }

    /// <summary>What <see cref="Choose"/> decided: the addresses to assign, and the identity's other sessions they replace.</summary>
    public sealed record Choice(IReadOnlyList<IPAddress> Addresses, IReadOnlyList<ulong> Replaced);

    /// <summary>Addresses the session holds now (empty when none).</summary>
    public IReadOnlyList<IPAddress> HeldBy(ulong session) => _holdings.TryGetValue(session, out var held) ? held.ToArray() : [];

    /// <summary>The session holding <paramref name="address"/>, if any.</summary>
    public ulong? HolderOf(IPAddress address) => _entries.TryGetValue(address, out var entry) ? entry.Holder : null;

    /// <summary>The sessions holding addresses now (a copy).</summary>
    public IReadOnlyCollection<ulong> HoldingSessions() => _holdings.Keys.ToArray();

    /// <summary>Number of sessions holding addresses.</summary>
    public int Holders => _holdings.Count;

    /// <summary>
    /// Addresses for <paramref name="session"/> of <paramref name="identity"/>, one per wanted family the pools have:
    /// what the session holds already (a retry), else an idle address the identity owns, else — with
    /// <paramref name="replaceOthers"/> (INITIAL_CONTACT: the peer lost its other SAs) — one its other sessions hold,
    /// else a never-used one, else the one idle longest. A family may come back empty: the pool is exhausted.
    /// </summary>
    public Choice Choose(ulong session, string identity, bool wantIpv4, bool wantIpv6, bool replaceOthers)
    {
        var held = HeldBy(session);
        var chosen = new List<IPAddress>(2);
        var replaced = new List<ulong>();
        if (replaceOthers && _owned.TryGetValue(identity, out var owned))
        {
            foreach (var address in owned)
                if (_entries[address].Holder is { } other && other != session && !replaced.Contains(other))
                    replaced.Add(other);
        }
        foreach (var (want, pool, family) in new[] { (wantIpv4, _ipv4, AddressFamily.InterNetwork), (wantIpv6, _ipv6, AddressFamily.InterNetworkV6) })
        {
            if (!want || pool is null)
                continue;
            var address = held.FirstOrDefault(a => a.AddressFamily == family)
                          ?? OwnedBy(identity, family, a => _entries[a].Holder is null)
                          ?? (replaceOthers ? OwnedBy(identity, family, a => _entries[a].Holder is { } h && replaced.Contains(h)) : null)
                          ?? pool.PeekFresh(_entries)
                          ?? pool.OldestIdle;
            if (address is not null)
                chosen.Add(address);
        }
        return new Choice(chosen, replaced);
    }

    /// <summary>Gives <paramref name="addresses"/> to <paramref name="session"/> of <paramref name="identity"/>, taking them from whoever held or owned them.</summary>
    public void Assign(ulong session, string identity, IReadOnlyList<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            var pool = PoolOf(address);
            if (pool is null)
                continue; // outside today's pools (the configuration changed): nothing to track
            if (_entries.TryGetValue(address, out var entry))
            {
                if (entry.Holder is { } previous && previous != session)
                    Drop(previous, address);
                if (entry.IdleNode is not null)
                {
                    pool.Idle.Remove(entry.IdleNode);
                    entry.IdleNode = null;
                }
                if (entry.Owner != identity)
                    Disown(entry.Owner, address);
            }
            else
            {
                _entries[address] = entry = new Entry();
            }
            entry.Owner = identity;
            entry.Holder = session;
            Own(identity, address);
            if (!_holdings.TryGetValue(session, out var held))
                _holdings[session] = held = [];
            if (!held.Contains(address))
                held.Add(address);
        }
    }

    /// <summary>The session no longer uses its addresses: they stay its identity's until the pool needs them.</summary>
    public void Release(ulong session)
    {
        if (!_holdings.Remove(session, out var held))
            return;
        foreach (var address in held)
        {
            var entry = _entries[address];
            entry.Holder = null;
            entry.IdleNode = PoolOf(address)!.Idle.AddLast(address);
        }
    }

    /// <summary>Every address handed out so far: held ones first, then idle ones oldest release first (the order <see cref="Restore"/> needs).</summary>
    public IReadOnlyList<AddressRecord> Records()
    {
        var records = new List<AddressRecord>(_entries.Count);
        foreach (var (address, entry) in _entries)
            if (entry.Holder is not null)
                records.Add(new AddressRecord(address, entry.Owner, entry.Holder));
        foreach (var pool in new[] { _ipv4, _ipv6 })
            if (pool is not null)
                foreach (var address in pool.Idle)
                    records.Add(new AddressRecord(address, _entries[address].Owner, null));
        return records;
    }

    /// <summary>Rebuilds a book from <see cref="Records"/> (a registry snapshot).</summary>
    public void Restore(IEnumerable<AddressRecord> records)
    {
        foreach (var record in records)
        {
            if (record.Holder is { } holder)
            {
                Assign(holder, record.Owner, [record.Address]);
                continue;
            }
            if (PoolOf(record.Address) is not { } pool || _entries.ContainsKey(record.Address))
                continue;
            _entries[record.Address] = new Entry { Owner = record.Owner, IdleNode = pool.Idle.AddLast(record.Address) };
            Own(record.Owner, record.Address);
        }
    }

    private IPAddress? OwnedBy(string identity, AddressFamily family, Func<IPAddress, bool> usable)
    {
        if (!_owned.TryGetValue(identity, out var owned))
            return null;
        foreach (var address in owned)
            if (address.AddressFamily == family && usable(address))
                return address;
        return null;
    }

    private Pool? PoolOf(IPAddress address) =>
        _ipv4 is not null && _ipv4.Contains(address) ? _ipv4 : _ipv6 is not null && _ipv6.Contains(address) ? _ipv6 : null;

    private void Drop(ulong holder, IPAddress address)
    {
        if (_holdings.TryGetValue(holder, out var held) && held.Remove(address) && held.Count == 0)
            _holdings.Remove(holder);
    }

    private void Own(string identity, IPAddress address)
    {
        if (!_owned.TryGetValue(identity, out var owned))
            _owned[identity] = owned = [];
        owned.Add(address);
    }

    private void Disown(string identity, IPAddress address)
    {
        if (_owned.TryGetValue(identity, out var owned) && owned.Remove(address) && owned.Count == 0)
            _owned.Remove(identity);
    }

    private sealed class Entry
    {
        public string Owner = "";
        public ulong? Holder;
        public LinkedListNode<IPAddress>? IdleNode;
    }

    /// <summary>One family's range: never-used addresses in order, and the idle ones oldest release first.</summary>
    private sealed class Pool
    {
        private readonly AddressRange _range;
        private readonly UInt128 _first;
        private readonly UInt128 _last;
        private UInt128 _next;

        public Pool(IPNetwork network)
        {
            _range = AddressRange.Of(network);
            bool v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            // Skip the network address and the gateway's own (.1); IPv4 also keeps its broadcast address.
            _first = _next = _range.Start + 2;
            _last = v4 ? _range.End - 1 : _range.End;
        }

        public LinkedList<IPAddress> Idle { get; } = new();

        public IPAddress? OldestIdle => Idle.First?.Value;

        public bool Contains(IPAddress address) => _range.Contains(address);

        /// <summary>The first never-used address (the cursor only skips addresses already in the book).</summary>
        public IPAddress? PeekFresh(Dictionary<IPAddress, Entry> used)
        {
            while (_next <= _last && _next >= _first)
            {
                var address = _range.AddressAt(_next);
                if (!used.ContainsKey(address))
                    return address;
                _next++;
            }
            return null;
        }
    }
}

/// <summary>One handed-out address: its owner (sticky identity) and the session holding it, if any.</summary>
public sealed record AddressRecord(IPAddress Address, string Owner, ulong? Holder);
