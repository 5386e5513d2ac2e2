using System.Buffers.Binary;
using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Core.Routing;

namespace Gateway.Core.Sessions;

/// <summary>
/// The node's <see cref="IResponderServices"/> as one session's IKE SA machine sees them: everything is passed
/// through, except that every IKE SPI the machine allocates (IKE SA rekeys, both roles) keeps the session id of the
/// SPI the session was opened with and only draws new generation bits (<see cref="SpiShardMap"/>). So the ingress
/// routes all of a session's SPIs to its entity without any table, and the pure machine knows nothing about it. With
/// <paramref name="shards"/> (cluster), its inbound ESP SPIs are drawn in its shard's class, so they are unique across
/// the nodes (<see cref="SpiShardMap.EspSpiClass"/>).
/// </summary>
public sealed class SessionResponderServices(IResponderServices inner, ulong openedWithSpi, SpiShardMap? shards = null) : IResponderServices
{
    /// <summary>Remembered so a new generation never repeats one that may still be in use (a retired SA lingers).</summary>
    private const int Remembered = 8;

    private readonly ulong _session = SpiShardMap.SessionOf(openedWithSpi);
    private readonly Queue<ulong> _recent = new([openedWithSpi]);

    public void Random(Span<byte> buffer) => inner.Random(buffer);

    public uint AllocateEspSpi() => shards is null
        ? inner.AllocateEspSpi()
        : inner.AllocateEspSpi((uint)shards.ShardCount, shards.EspSpiClass(openedWithSpi));

    public uint AllocateEspSpi(uint classes, uint index) => inner.AllocateEspSpi(classes, index);

    public void ReleaseEspSpi(uint spi) => inner.ReleaseEspSpi(spi);

    public void ReclaimEspSpi(uint spi) => inner.ReclaimEspSpi(spi);

    public void ReclaimAddresses(string identity, IReadOnlyList<IPAddress> addresses) => inner.ReclaimAddresses(identity, addresses);

    public IReadOnlyList<IPAddress> LeaseAddresses(string identity, bool wantIpv4, bool wantIpv6) =>
        inner.LeaseAddresses(identity, wantIpv4, wantIpv6);

    public void ReleaseAddresses(string identity, IReadOnlyList<IPAddress> addresses) => inner.ReleaseAddresses(identity, addresses);

    public ulong AllocateIkeSpi()
    {
        Span<byte> random = stackalloc byte[2];
        while (true)
        {
            inner.Random(random);
            ulong spi = SpiShardMap.SpiOf(_session, BinaryPrimitives.ReadUInt16BigEndian(random));
            if (spi == 0 || _recent.Contains(spi))
                continue;
            _recent.Enqueue(spi);
            if (_recent.Count > Remembered)
                _recent.Dequeue();
            return spi;
        }
    }
}
