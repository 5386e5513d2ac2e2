using System.Net;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Configuration;

/// <summary>
/// gateway.ike.* and gateway.dos.* → <see cref="GatewayCoreOptions"/> (with its <see cref="ResponderOptions"/>), the
/// IKE core's tuning; hocon/gateway.conf documents each key. Ranges refuse values that cannot work or would disable a
/// protection by accident; the host adds what is not configuration (metrics, clock).
/// </summary>
internal static class CoreSettingsReader
{
    public static GatewayCoreOptions Read(HoconValues v)
    {
        int halfOpenLimit = v.Int("gateway.ike.half-open-limit", 1, 10_000_000);
        var responder = ResponderOptions.Default with
        {
            LivenessInterval = v.OptionalDuration("gateway.ike.liveness-interval", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            DormantGracePeriod = v.Duration("gateway.ike.dormant-grace-period", TimeSpan.Zero, TimeSpan.FromDays(1)),
            RetransmitIntervals = RetransmitIntervals(v),
            // 576: the IPv4 minimum datagram every host must accept (RFC 791), which RFC 7383 §2.5.1 names as the floor.
            FragmentSize = v.Int("gateway.ike.fragment-size", 576, 65_535),
            Mobike = v.Bool("gateway.ike.mobike"),
            ReturnRoutabilityCheck = v.Bool("gateway.ike.return-routability-check"),
            AdditionalAddresses = AdditionalAddresses(v),
            Rekey = Lifetimes(v),
        };
        return GatewayCoreOptions.Default with
        {
            HalfOpenLimit = halfOpenLimit,
            HalfOpenLifetime = v.Duration("gateway.ike.half-open-lifetime", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            CookieThreshold = CookieThreshold(v, halfOpenLimit),
            CookieSecretRotation = v.Duration("gateway.dos.cookie-secret-rotation", TimeSpan.FromSeconds(10), TimeSpan.FromDays(1)),
            CookieSecretGrace = CookieSecretGrace(v),
            SourceRatePerSecond = v.OptionalDouble("gateway.dos.source-rate.per-second", 0.01, 1_000_000),
            SourceRateBurst = v.Int("gateway.dos.source-rate.burst", 1, 1_000_000),
            SourceRateTableSize = v.Int("gateway.dos.source-rate.table-size", 1, 1 << 24),
            // Only the per-source part: the drain target is the host's DrainSwitch (switchable at run time).
            RedirectPolicy = Redirect(v).BySource,
            RedirectTimeout = v.Duration("gateway.dos.redirect.timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
            Responder = responder,
        };
    }

    private static IReadOnlyList<IPAddress> AdditionalAddresses(HoconValues v)
    {
        const string key = "gateway.ike.additional-addresses";
        var list = new List<IPAddress>();
        foreach (string text in v.StringList(key))
        {
            if (!IPAddress.TryParse(text, out IPAddress? address))
                throw new ConfigurationError(key, $"'{text}' is not an IP address");
            list.Add(address);
        }
        return list;
    }

    private static IReadOnlyList<TimeSpan> RetransmitIntervals(HoconValues v)
    {
        const string key = "gateway.ike.retransmit-intervals";
        var intervals = v.DurationList(key, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        if (intervals.Count is 0 or > 16)
            throw new ConfigurationError(key, "between 1 and 16 waits are needed (an empty list would give up after one transmission)");
        return intervals;
    }

    private static RekeyOptions Lifetimes(HoconValues v)
    {
        // Floors (hocon/gateway.conf): 10 s lifetimes let tests watch our own rekeys; shorter ones would spend a key
        // exchange per client every few seconds. A 2 s margin leaves room for one retransmission at the default
        // schedule's first wait, so a single lost packet does not let the SA reach its hard lifetime unrekeyed.
        var child = v.Duration("gateway.ike.lifetimes.child", TimeSpan.FromSeconds(10), TimeSpan.FromDays(7));
        const string marginKey = "gateway.ike.lifetimes.child-rekey-margin";
        var margin = v.Duration(marginKey, TimeSpan.FromSeconds(2), TimeSpan.FromDays(7));
        // The rekey must start while the SA still lives, with room for the exchange and its retransmissions.
        if (margin >= child)
            throw new ConfigurationError(marginKey, $"must be less than gateway.ike.lifetimes.child ({child:c})");
        return RekeyOptions.Default with
        {
            ChildHardLifetime = child,
            ChildSoftLifetime = child - margin,
            IkeSaLifetime = v.Duration("gateway.ike.lifetimes.ike-rekey", TimeSpan.FromSeconds(10), TimeSpan.FromDays(30)),
            // Above one half the soft lifetime becomes a lottery; 0 is allowed (deterministic tests, few clients).
            Jitter = v.Double("gateway.ike.lifetimes.rekey-jitter", 0, 0.5),
        };
    }

    private static int CookieThreshold(HoconValues v, int halfOpenLimit)
    {
        const string key = "gateway.dos.cookie-threshold";
        int threshold = v.Int(key, 0, 10_000_000);
        // Above the limit cookies would never start by count: the gate drops first, so a flood would lock clients out.
        if (threshold > halfOpenLimit)
            throw new ConfigurationError(key, $"{threshold} is above gateway.ike.half-open-limit ({halfOpenLimit}); cookies must start before the limit drops requests");
        return threshold;
    }

    private static TimeSpan CookieSecretGrace(HoconValues v)
    {
        const string key = "gateway.dos.cookie-secret-grace";
        var grace = v.Duration(key, TimeSpan.Zero, TimeSpan.FromDays(1));
        var rotation = v.Duration("gateway.dos.cookie-secret-rotation", TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));
        // Only two secrets exist: a grace longer than the rotation would promise cookies the next rotation drops.
        if (grace > rotation)
            throw new ConfigurationError(key, $"must not exceed gateway.dos.cookie-secret-rotation ({rotation:c})");
        return grace;
    }

    /// <summary>
    /// gateway.dos.redirect.*: the drain target (drain = on: every client goes to target; the control channel switches
    /// it at run time, see <see cref="DrainSwitch"/>) and the per-source policy (sources → target), or neither.
    /// </summary>
    public static (GatewayIdentity? DrainTarget, Func<IPEndPoint, GatewayIdentity?>? BySource) Redirect(HoconValues v)
    {
        const string targetKey = "gateway.dos.redirect.target";
        string text = v.String(targetKey).Trim();
        GatewayIdentity? target = text.Length == 0 ? null : RedirectTarget(targetKey, text);
        bool drain = v.Bool("gateway.dos.redirect.drain");
        var sources = new List<IPNetwork>();
        foreach (string prefix in v.StringList("gateway.dos.redirect.sources"))
            sources.Add(SettingsReader.Network("gateway.dos.redirect.sources", prefix));
        if ((drain || sources.Count > 0) && target is null)
            throw new ConfigurationError(targetKey, "must name a gateway when drain is on or sources are listed");
        if (target is not { } peer)
            return (null, null);
        return (drain ? peer : null, sources.Count > 0 ? RedirectPolicies.From(sources, peer) : null);
    }

    /// <summary>A redirect target as RFC 5685 §4 carries it: an IP address or an FQDN (ASCII, at most 255 bytes).</summary>
    /// <exception cref="ConfigurationError">Neither; names <paramref name="key"/>.</exception>
    public static GatewayIdentity RedirectTarget(string key, string text)
    {
        if (IPAddress.TryParse(text, out IPAddress? address))
            return GatewayIdentity.FromAddress(address);
        if (text.Length > 255 || Uri.CheckHostName(text) != UriHostNameType.Dns)
            throw new ConfigurationError(key, $"'{text}' is neither an IP address nor a DNS name");
        return GatewayIdentity.FromFqdn(text);
    }
}
