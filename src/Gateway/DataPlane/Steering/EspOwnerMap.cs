using System.Collections.Concurrent;
using System.Net;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// Which other node owns each inbound ESP SPI, for forwarding ESP that the kernel's SO_REUSEPORT hash delivered to a
/// node without the SA. Every node announces its whole set of installed inbound SPIs (see
/// <see cref="EspOwnershipActor"/>); an announcement replaces that node's previous one. A SPI newly claimed by a node
/// points at it even if another node still claims it (after a failover the old owner is dead or about to drop it);
/// a SPI a node stops claiming is forgotten only if it still points at that node. Read lock-free on receive threads.
/// </summary>
public sealed class EspOwnerMap
{
    private readonly ConcurrentDictionary<uint, IPEndPoint> _owners = new();
    private readonly Dictionary<string, (IPEndPoint Endpoint, HashSet<uint> Spis)> _byNode = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public bool TryGetOwner(uint spi, out IPEndPoint? owner) => _owners.TryGetValue(spi, out owner);

    public int Count => _owners.Count;

    /// <summary>Replaces <paramref name="node"/>'s claims (its forward endpoint and all SPIs it has installed).</summary>
    public void Announce(string node, IPEndPoint forwardEndpoint, IReadOnlyCollection<uint> spis)
    {
        lock (_gate)
        {
            var now = new HashSet<uint>(spis);
            if (_byNode.TryGetValue(node, out var before))
            {
                foreach (uint spi in before.Spis)
                    if (!now.Contains(spi))
                        _owners.TryRemove(new KeyValuePair<uint, IPEndPoint>(spi, before.Endpoint));
            }
            foreach (uint spi in now)
                if (before.Spis is null || !before.Spis.Contains(spi) || !before.Endpoint.Equals(forwardEndpoint))
                    _owners[spi] = forwardEndpoint;
            _byNode[node] = (forwardEndpoint, now);
        }
    }

    /// <summary>The node left the cluster (downed or stopped): its claims go.</summary>
    public void Forget(string node)
    {
        lock (_gate)
        {
            if (!_byNode.Remove(node, out var gone))
                return;
            foreach (uint spi in gone.Spis)
                _owners.TryRemove(new KeyValuePair<uint, IPEndPoint>(spi, gone.Endpoint));
        }
    }
}
