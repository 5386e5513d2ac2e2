using System.Net;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>Responder-side traffic selector narrowing (RFC 7296 §2.9) for remote access.</summary>
internal static class TrafficSelectorNarrowing
{
    /// <summary>
    /// TSi: with virtual addresses, each one as a host selector where the client's TSi covers it (keeping the
    /// client's protocol and ports); without (no CP), what the client proposed.
    /// </summary>
    public static IReadOnlyList<TrafficSelector> Initiator(TrafficSelectorPayload tsi, IReadOnlyList<IPAddress> virtualAddresses)
    {
        if (virtualAddresses.Count == 0)
            return tsi.Selectors;
        var result = new List<TrafficSelector>();
        foreach (var address in virtualAddresses)
        {
            // The first covering selector (TrafficSelector is a struct: no null for "none found").
            foreach (var covering in tsi.Selectors)
            {
                if (!AddressRange.Of(covering).Contains(address))
                    continue;
                result.Add(TrafficSelector.FromRange(address, address, covering.IpProtocol, covering.StartPort, covering.EndPort));
                break;
            }
        }
        return result.ToArray(); // exact size: kept for the child SA's life
    }

    /// <summary>TSr: the intersection of each client selector with each protected subnet.</summary>
    public static IReadOnlyList<TrafficSelector> Responder(TrafficSelectorPayload tsr, IReadOnlyList<IPNetwork> protectedSubnets)
    {
        var result = new List<TrafficSelector>();
        foreach (var selector in tsr.Selectors)
        {
            var range = AddressRange.Of(selector);
            foreach (var subnet in protectedSubnets)
            {
                if (range.Intersect(AddressRange.Of(subnet)) is { } common)
                {
                    var narrowed = common.ToSelector(selector);
                    if (!result.Exists(r => r.ToString() == narrowed.ToString()))
                        result.Add(narrowed);
                }
            }
        }
        return result.ToArray(); // exact size: kept for the child SA's life
    }

    /// <summary>Host addresses among narrowed selectors: the inner source addresses the data plane accepts.</summary>
    public static IReadOnlyList<IPAddress> HostAddresses(IEnumerable<TrafficSelector> selectors) =>
        selectors.Where(s => s.StartAddress.Span.SequenceEqual(s.EndAddress.Span)).Select(s => s.Start).Distinct().ToArray();
}
