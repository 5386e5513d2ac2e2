using Gateway.Core.DataPlane;

namespace Gateway.Core.IkeSa;

/// <summary>The child SAs of one IKE SA, by our inbound SPI and by the peer's (outbound) SPI.</summary>
internal sealed class ChildSaTable
{
    private readonly List<ChildSaInstallation> _children = [];

    public IReadOnlyList<ChildSaInstallation> All => _children;

    public void Add(ChildSaInstallation sa) => _children.Add(sa);

    /// <summary>Moves every pair to a new path (MOBIKE, NAT mapping change); SPIs and keys stay. Returns the moved pairs.</summary>
    public IReadOnlyList<ChildSaInstallation> MoveAll(System.Net.IPEndPoint local, System.Net.IPEndPoint remote, bool udpEncapsulated)
    {
        for (int i = 0; i < _children.Count; i++)
            _children[i] = _children[i] with { Local = local, Remote = remote, UdpEncapsulated = udpEncapsulated };
        return _children.ToArray();
    }

    /// <summary>Removes the pair whose peer SPI is <paramref name="outboundSpi"/>; returns it, or null when unknown.</summary>
    public ChildSaInstallation? RemoveByOutboundSpi(uint outboundSpi)
    {
        int i = _children.FindIndex(c => c.OutboundSpi == outboundSpi);
        if (i < 0)
            return null;
        var sa = _children[i];
        _children.RemoveAt(i);
        return sa;
    }

    /// <summary>Removes the pair whose SPI of ours is <paramref name="inboundSpi"/>; returns it, or null when unknown.</summary>
    public ChildSaInstallation? RemoveByInboundSpi(uint inboundSpi)
    {
        int i = _children.FindIndex(c => c.InboundSpi == inboundSpi);
        if (i < 0)
            return null;
        var sa = _children[i];
        _children.RemoveAt(i);
        return sa;
    }

    public ChildSaInstallation? FindByOutboundSpi(uint outboundSpi) => _children.Find(c => c.OutboundSpi == outboundSpi);

    public IReadOnlyList<ChildSaInstallation> RemoveAll()
    {
        var all = _children.ToArray();
        _children.Clear();
        return all;
    }
}
