using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Core.Addresses;
using Gateway.Core.Policy;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Node-local <see cref="IResponderServices"/>: cryptographic randomness, a set of inbound ESP SPIs in use, and sticky
/// virtual address pools (an <see cref="AddressBook"/>: each lease held by one SA, the same identity connected twice
/// holds two addresses, released addresses stay the identity's while the pool has room). Thread-safe. In a gateway
/// started by <see cref="Hosting.GatewayCore"/> addresses come from the cluster-wide <see cref="AddressRegistry"/>
/// instead; these pools serve the pure machine on its own (tests, tools).
/// </summary>
public sealed class InMemoryResponderServices : IResponderServices
{
    private const int MaxSpiAttempts = 64;

    private readonly object _gate = new();
    private readonly HashSet<uint> _spis = [];
    private readonly AddressBook _addresses;
    private ulong _lastHolder; // each lease is its own holder: the same identity twice gets two addresses

    public InMemoryResponderServices(AddressPools pools) => _addresses = new AddressBook(pools);

    public void Random(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);

    public uint AllocateEspSpi() => AllocateEspSpi(1, 0);

    public uint AllocateEspSpi(uint classes, uint index)
    {
        Span<byte> bytes = stackalloc byte[4];
        lock (_gate)
        {
            for (int i = 0; i < MaxSpiAttempts; i++)
            {
                RandomNumberGenerator.Fill(bytes);
                if (Routing.SpiShardMap.EspSpiInClass(BitConverter.ToUInt32(bytes), classes, index) is { } spi && _spis.Add(spi))
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
            ulong holder = ++_lastHolder;
            var choice = _addresses.Choose(holder, identity, wantIpv4, wantIpv6, replaceOthers: false);
            _addresses.Assign(holder, identity, choice.Addresses);
            return choice.Addresses;
        }
    }

    /// <summary>An identity's addresses from a restored IKE SA: its lease again, and out of the fresh pool for good.</summary>
    public void ReclaimAddresses(string identity, IReadOnlyList<IPAddress> addresses)
    {
        // Held by another client served before the restore: the restored SA takes it over here (node-local view);
        // the cluster's address registry is what rules this race out.
        lock (_gate)
            _addresses.Assign(++_lastHolder, identity, addresses);
    }

    public void ReleaseAddresses(string identity, IReadOnlyList<IPAddress> addresses)
    {
        lock (_gate)
        {
            foreach (var address in addresses)
                if (_addresses.HolderOf(address) is { } holder)
                    _addresses.Release(holder);
        }
    }
}
