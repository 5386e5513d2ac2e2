using System.Net;
using System.Net.Sockets;
using Gateway.Core.Policy;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>The answer to a CP request: the reply (null without request), the leased addresses, or an address failure.</summary>
internal sealed record ConfigurationOutcome(ConfigurationPayload? Reply, IReadOnlyList<IPAddress> Addresses, bool AddressFailure)
{
    public static readonly ConfigurationOutcome None = new(null, [], false);
}

/// <summary>
/// What a CFG_REQUEST asks for: <paramref name="Asked"/> any address at all; <paramref name="Ipv4"/>/<paramref name="Ipv6"/>
/// the families both asked for and served by a pool (what to lease).
/// </summary>
internal sealed record AddressWish(bool Asked, bool Ipv4, bool Ipv6)
{
    public bool Any => Ipv4 || Ipv6;
}

/// <summary>
/// CFG_REQUEST → CFG_REPLY (RFC 7296 §2.19, §3.15): virtual IPv4/IPv6 addresses only for the families the client
/// asked for and the pools have (sticky per identity, via the services), and DNS servers of the asked families.
/// </summary>
internal sealed class ConfigurationResponder(GatewayPolicy policy, IResponderServices services)
{
    /// <summary>Prefix length sent with INTERNAL_IP6_ADDRESS: the client owns exactly one address.</summary>
    private const byte Ipv6HostPrefix = 128;

    /// <summary>The address families the client asked for (CFG_REQUEST) that the pools can serve.</summary>
    public AddressWish Wish(ConfigurationPayload? request)
    {
        if (request is null || request.ConfigurationType != ConfigurationType.Request)
            return new AddressWish(false, false, false);
        bool askedV4 = Asks(request, ConfigurationAttributeType.InternalIp4Address);
        bool askedV6 = Asks(request, ConfigurationAttributeType.InternalIp6Address);
        return new AddressWish(askedV4 || askedV6, askedV4 && policy.Pools.Ipv4 is not null, askedV6 && policy.Pools.Ipv6 is not null);
    }

    /// <summary>Leases the addresses from the node's services and answers (the pure machine on its own).</summary>
    public ConfigurationOutcome Assign(string identity, ConfigurationPayload? request)
    {
        var wish = Wish(request);
        return Answer(request, wish.Any ? services.LeaseAddresses(identity, wish.Ipv4, wish.Ipv6) : []);
    }

    /// <summary>The CFG_REPLY for addresses leased elsewhere (the cluster's address registry, through the actor).</summary>
    public ConfigurationOutcome Answer(ConfigurationPayload? request, IReadOnlyList<IPAddress> addresses)
    {
        if (request is null || request.ConfigurationType != ConfigurationType.Request)
            return ConfigurationOutcome.None;
        bool Asked(ConfigurationAttributeType t) => Asks(request, t);
        if (Wish(request).Asked && addresses.Count == 0)
            return new ConfigurationOutcome(null, [], AddressFailure: true);

        var attributes = new List<ConfigurationAttribute>();
        foreach (var address in addresses)
        {
            attributes.Add(address.AddressFamily == AddressFamily.InterNetwork
                ? ConfigurationAttribute.InternalIp4Address(address)
                : ConfigurationAttribute.InternalIp6Address(address, Ipv6HostPrefix));
        }
        foreach (var dns in policy.Pools.Dns)
        {
            if (dns.AddressFamily == AddressFamily.InterNetwork && Asked(ConfigurationAttributeType.InternalIp4Dns))
                attributes.Add(ConfigurationAttribute.InternalIp4Dns(dns));
            else if (dns.AddressFamily == AddressFamily.InterNetworkV6 && Asked(ConfigurationAttributeType.InternalIp6Dns))
                attributes.Add(ConfigurationAttribute.InternalIp6Dns(dns));
        }
        return new ConfigurationOutcome(new ConfigurationPayload(ConfigurationType.Reply, attributes), addresses, false);
    }

    private static bool Asks(ConfigurationPayload request, ConfigurationAttributeType type) => request.Attributes.Any(a => a.AttributeType == type);
}
