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
/// CFG_REQUEST → CFG_REPLY (RFC 7296 §2.19, §3.15): virtual IPv4/IPv6 addresses only for the families the client
/// asked for and the pools have (sticky per identity, via the services), and DNS servers of the asked families.
/// </summary>
internal sealed class ConfigurationResponder(GatewayPolicy policy, IResponderServices services)
{
    /// <summary>Prefix length sent with INTERNAL_IP6_ADDRESS: the client owns exactly one address.</summary>
    private const byte Ipv6HostPrefix = 128;

    public ConfigurationOutcome Assign(string identity, ConfigurationPayload? request)
    {
        if (request is null || request.ConfigurationType != ConfigurationType.Request)
            return ConfigurationOutcome.None;
        bool Asked(ConfigurationAttributeType t) => request.Attributes.Any(a => a.AttributeType == t);

        bool askedV4 = Asked(ConfigurationAttributeType.InternalIp4Address);
        bool askedV6 = Asked(ConfigurationAttributeType.InternalIp6Address);
        bool wantV4 = askedV4 && policy.Pools.Ipv4 is not null;
        bool wantV6 = askedV6 && policy.Pools.Ipv6 is not null;
        IReadOnlyList<IPAddress> addresses = wantV4 || wantV6 ? services.LeaseAddresses(identity, wantV4, wantV6) : [];
        if ((askedV4 || askedV6) && addresses.Count == 0)
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
}
