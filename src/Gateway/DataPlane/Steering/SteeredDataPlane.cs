using System.Net;
using Gateway.Core.DataPlane;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// The data plane as the IKE core sees it when several nodes share the gateway's address on one host: installs and
/// removals go to the node's <see cref="EspDataPlane"/> as usual, and also (1) route the client's virtual addresses to
/// this node's TUN device (a /32 or /128 host route, counted per address so a rekey's overlapping SAs keep it), so
/// traffic toward the client reaches the node that owns its SA wherever the SA moves; (2) keep the set of inbound SPIs
/// this node owns, which <see cref="EspOwnershipActor"/> announces to the other nodes for ESP forwarding.
/// </summary>
public sealed class SteeredDataPlane(IDataPlane inner, IHostRoutes routes) : IDataPlane
{
    private readonly Dictionary<uint, IReadOnlyList<IPAddress>> _addressesBySpi = new();
    private readonly Dictionary<IPAddress, int> _routeUsers = new();
    private readonly object _gate = new();

    /// <summary>Raised (on the calling actor's thread) after the owned SPI set changed.</summary>
    public event Action? OwnedSpisChanged;

    public uint[] OwnedSpis()
    {
        lock (_gate)
            return [.. _addressesBySpi.Keys];
    }

    public void Install(ChildSaInstallation sa)
    {
        inner.Install(sa);
        lock (_gate)
        {
            _addressesBySpi[sa.InboundSpi] = sa.RemoteInnerAddresses;
            foreach (IPAddress address in sa.RemoteInnerAddresses)
            {
                int users = _routeUsers.GetValueOrDefault(address);
                _routeUsers[address] = users + 1;
                if (users == 0)
                    routes.Add(address);
            }
        }
        OwnedSpisChanged?.Invoke();
    }

    public void UpdatePeer(uint inboundSpi, IPEndPoint local, IPEndPoint remote, bool udpEncapsulated) =>
        inner.UpdatePeer(inboundSpi, local, remote, udpEncapsulated);

    public void RaiseInboundFloor(uint inboundSpi, ulong floor) => inner.RaiseInboundFloor(inboundSpi, floor);

    public void Remove(uint inboundSpi)
    {
        inner.Remove(inboundSpi);
        lock (_gate)
        {
            if (!_addressesBySpi.Remove(inboundSpi, out var addresses))
                return;
            foreach (IPAddress address in addresses)
            {
                int users = _routeUsers.GetValueOrDefault(address) - 1;
                if (users > 0)
                {
                    _routeUsers[address] = users;
                    continue;
                }
                _routeUsers.Remove(address);
                routes.Remove(address);
            }
        }
        OwnedSpisChanged?.Invoke();
    }

    public ChildSaCounters? ReadCounters(uint inboundSpi) => inner.ReadCounters(inboundSpi);
}

/// <summary>Host routes for clients' virtual addresses toward this node's TUN device. Must not block the caller.</summary>
public interface IHostRoutes
{
    void Add(IPAddress address);
    void Remove(IPAddress address);
}
