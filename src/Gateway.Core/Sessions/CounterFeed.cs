using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

/// <summary>
/// Turns the data plane's counters of an IKE SA's child SAs into machine inputs: <see cref="ChildSaTraffic"/> per
/// child (inbound + outbound bytes, for byte lifetimes) and one <see cref="PeerActivity"/> with the newest inbound
/// time over all of them (for liveness: a peer that sends ESP is not probed). Reading counters is cheap and lock-free
/// in the data plane, so the actor may do it often.
/// </summary>
public static class CounterFeed
{
    public static IReadOnlyList<IkeSaInput> Read(IDataPlane dataPlane, IEnumerable<uint> inboundSpis, DateTime nowUtc)
    {
        var inputs = new List<IkeSaInput>();
        DateTime lastInbound = DateTime.MinValue;
        foreach (uint spi in inboundSpis)
        {
            if (dataPlane.ReadCounters(spi) is not { } c)
                continue;
            inputs.Add(new ChildSaTraffic(spi, c.InboundBytes + c.OutboundBytes, nowUtc));
            if (c.InboundPackets > 0 && c.LastInboundUtc > lastInbound)
                lastInbound = c.LastInboundUtc;
        }
        if (lastInbound > DateTime.MinValue)
            inputs.Add(new PeerActivity(lastInbound, nowUtc));
        return inputs;
    }
}
