using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Core.Policy;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Node-local <see cref="IResponderServices"/> for the single-node gateway (the cluster-wide version comes later):
/// cryptographic randomness, a set of inbound ESP SPIs in use, and sticky virtual address pools. Thread-safe.
/// <para>Addresses: the first host address of each pool (.1, ::1) is left for the gateway itself; IPv4 network and
/// broadcast addresses are never handed out. An identity keeps its addresses while any of its SAs is up and stays
/// the owner after release; released addresses go to other identities only when no never-used address is left
/// (oldest release first).</para>
/// </summary>
public sealed class InMemoryResponderServices : IResponderServices
{
    private const int MaxSpiAttempts = 64;

    private readonly object _gate = new();
    private readonly HashSet<uint> _spis = [];
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _idle = new();
    private readonly AddressPool? _ipv4;
    private readonly AddressPool? _ipv6;

    public InMemoryResponderServices(AddressPools pools)
    {
        _ipv4 = pools.Ipv4 is { } v4 ? new AddressPool(v4) : null;
        _ipv6 = pools.Ipv6 is { } v6 ? new AddressPool(v6) : null;
    }

    public void Random(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);

    public uint AllocateEspSpi()
    {
        Span<byte> bytes = stackalloc byte[4];
        lock (_gate)
        {
            for (int i = 0; i < MaxSpiAttempts; i++)
            {
                RandomNumberGenerator.Fill(bytes);
                uint spi = BitConverter.ToUInt32(bytes);
                if (spi > 255 && _spis.Add(spi))
                    return spi;
            }
        }
        throw new InvalidOperationException("No free ESP SPI found.");
    }

    public void ReleaseEspSpi(uint spi)
    {
        lock (_gate)
            _spis.Remove(spi);
    }

    public void ReclaimEspSpi(uint spi)
    {
        lock (_gate)
            _spis.Add(spi);
    }

    /// <summary>Number of ESP SPIs in use (for tests and metrics).</summary>
    public int EspSpisInUse
    {
        get
        {
            lock (_gate)
                return _spis.Count;
        }
    }

    public IReadOnlyList<IPAddress> LeaseAddresses(string identity, bool wantIpv4, bool wantIpv6)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(identity, out var lease))
                _leases[identity] = lease = new Lease();
            if (wantIpv4 && _ipv4 is not null)
                lease.Ipv4 ??= Take(_ipv4, AddressFamily.InterNetwork);
            if (wantIpv6 && _ipv6 is not null)
                lease.Ipv6 ??= Take(_ipv6, AddressFamily.InterNetworkV6);

            var result = new List<IPAddress>(2);
            if (wantIpv4 && lease.Ipv4 is { } a4)
                result.Add(a4);
            if (wantIpv6 && lease.Ipv6 is { } a6)
                result.Add(a6);
            if (result.Count > 0)
            {
                if (lease.Active++ == 0 && lease.IdleNode is not null)
                {
                    _idle.Remove(lease.IdleNode);
                    lease.IdleNode = null;
                }
            }
            else if (lease.Active == 0 && lease.Ipv4 is null && lease.Ipv6 is null)
            {
                _leases.Remove(identity);
            }
            return result;
        }
    }

    /// <summary>An identity's addresses from a restored IKE SA: its lease again, and out of the fresh pool for good.</summary>
    public void ReclaimAddresses(string identity, IReadOnlyList<IPAddress> addresses)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(identity, out var lease))
                _leases[identity] = lease = new Lease();
            foreach (var address in addresses)
            {
                // Another identity leasing it already (a client served before the restore): keep theirs; both now
                // hold it. Cluster-wide address ownership (issue 5 §6) is what removes this race.
                if (address.AddressFamily == AddressFamily.InterNetwork && _ipv4 is not null)
                {
                    lease.Ipv4 ??= address;
                    _ipv4.Reserve(address);
                }
                else if (address.AddressFamily == AddressFamily.InterNetworkV6 && _ipv6 is not null)
                {
                    lease.Ipv6 ??= address;
                    _ipv6.Reserve(address);
                }
            }
            if (lease.Active++ == 0 && lease.IdleNode is not null)
            {
                _idle.Remove(lease.IdleNode);
                lease.IdleNode = null;
            }
        }
    }

    public void ReleaseAddresses(string identity)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(identity, out var lease) || lease.Active == 0)
                return;
            if (--lease.Active == 0)
                lease.IdleNode = _idle.AddLast(identity);
        }
    }

    /// <summary>A never-used address, else one taken from the identity idle longest.</summary>
    private IPAddress? Take(AddressPool pool, AddressFamily family)
    {
        if (pool.TakeFresh() is { } fresh)
            return fresh;
        for (var node = _idle.First; node is not null; node = node.Next)
        {
            var owner = _leases[node.Value];
            var address = family == AddressFamily.InterNetwork ? owner.Ipv4 : owner.Ipv6;
            if (address is null)
                continue;
            if (family == AddressFamily.InterNetwork)
                owner.Ipv4 = null;
            else
                owner.Ipv6 = null;
            if (owner.Ipv4 is null && owner.Ipv6 is null)
            {
                _idle.Remove(node);
                _leases.Remove(node.Value);
            }
            return address;
        }
        return null;
    }

    private sealed class Lease
    {
        public IPAddress? Ipv4;
        public IPAddress? Ipv6;
        public int Active;
        public LinkedListNode<string>? IdleNode;
    }

    /// <summary>Hands out the pool's host addresses in order, each once; reuse is the caller's business.</summary>
    private sealed class AddressPool
    {
        private readonly AddressRange _range;
        private readonly UInt128 _last;
        private UInt128 _next;

        public AddressPool(IPNetwork network)
        {
            _range = AddressRange.Of(network);
            bool v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            // Skip the network address and the gateway's own (.1); IPv4 also keeps its broadcast address.
            _next = _range.Start + 2;
            _last = v4 ? _range.End - 1 : _range.End;
            if (_range.End - _range.Start < 3)
                _next = _last + 1;
        }

        /// <summary>Addresses taken by restored SAs ahead of the fresh order: skipped when the order reaches them.</summary>
        private readonly HashSet<IPAddress> _reserved = [];

        public void Reserve(IPAddress address) => _reserved.Add(address);

        public IPAddress? TakeFresh()
        {
            while (_next <= _last && _next >= _range.Start)
            {
                var address = _range.AddressAt(_next++);
                if (!_reserved.Remove(address))
                    return address;
            }
            return null;
        }
    }
}
