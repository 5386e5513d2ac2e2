using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Esp;

/// <summary>
/// The node-local SA table: inbound SAs by SPI, outbound SAs by the client's inner (virtual) address and by SPI.
/// <para>
/// Structure: <see cref="ConcurrentDictionary{TKey,TValue}"/>. Its TryGetValue takes no lock and allocates nothing
/// (<see cref="InnerAddress"/> and uint keys hash without boxing), which is what the packet path needs, and an install or
/// removal is O(1). An immutable snapshot swapped atomically (e.g. a FrozenDictionary) reads a little faster but costs an
/// O(n) rebuild per change, i.e. O(n²) when a failover installs thousands of tunnels at once or during connection
/// storms; SA churn is the control plane's hot path, so the dictionary wins.
/// </para>
/// <para>
/// Writers are the child SA actors (control plane). Rekey is make-before-break: the new outbound SA is installed (its
/// inner addresses now route to it) before the old one is removed, and removal only drops routes still pointing at the
/// removed SA.
/// </para>
/// </summary>
public sealed class SecurityAssociationTable
{
    private readonly ConcurrentDictionary<uint, InboundSa> _inbound = new();
    private readonly ConcurrentDictionary<uint, OutboundSa> _outboundBySpi = new();
    private readonly ConcurrentDictionary<InnerAddress, OutboundSa> _outboundByInner = new();

    public int InboundCount => _inbound.Count;

    public int OutboundCount => _outboundBySpi.Count;

    /// <summary>Adds an inbound SA; false if its SPI is already in use on this node.</summary>
    public bool TryAddInbound(InboundSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        return _inbound.TryAdd(sa.Spi, sa);
    }

    /// <summary>Packet path: the inbound SA for an arriving ESP packet's SPI.</summary>
    public bool TryGetInbound(uint spi, [MaybeNullWhen(false)] out InboundSa sa) => _inbound.TryGetValue(spi, out sa);

    public bool RemoveInbound(uint spi) => _inbound.TryRemove(spi, out _);

    /// <summary>
    /// Adds an outbound SA and routes its inner addresses to it, replacing the route of an older SA for the same
    /// address (rekey). False if its SPI is already installed.
    /// </summary>
    public bool TryAddOutbound(OutboundSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        if (!_outboundBySpi.TryAdd(sa.Spi, sa))
            return false;
        foreach (InnerAddress address in sa.InnerAddresses)
            _outboundByInner[address] = sa;
        return true;
    }

    /// <summary>Packet path: the outbound SA serving an inner destination read from the TUN device.</summary>
    public bool TryGetOutbound(InnerAddress destination, [MaybeNullWhen(false)] out OutboundSa sa) =>
        _outboundByInner.TryGetValue(destination, out sa);

    /// <summary>Control plane: an outbound SA by SPI (counters, path updates).</summary>
    public bool TryGetOutboundBySpi(uint spi, [MaybeNullWhen(false)] out OutboundSa sa) => _outboundBySpi.TryGetValue(spi, out sa);

    /// <summary>Removes an outbound SA and those of its routes that still point at it (not a newer SA's).</summary>
    public bool RemoveOutbound(uint spi)
    {
        if (!_outboundBySpi.TryRemove(spi, out OutboundSa? sa))
            return false;
        foreach (InnerAddress address in sa.InnerAddresses)
            _outboundByInner.TryRemove(new KeyValuePair<InnerAddress, OutboundSa>(address, sa)); // reference equality
        return true;
    }

    /// <summary>
    /// MOBIKE (RFC 4555): the peer moved. The outbound SA's remote endpoint and encapsulation change in one atomic step.
    /// False if no outbound SA has that SPI.
    /// </summary>
    public bool UpdatePeer(uint outboundSpi, PeerPath path)
    {
        if (!_outboundBySpi.TryGetValue(outboundSpi, out OutboundSa? sa))
            return false;
        sa.UpdatePath(path);
        return true;
    }
}
