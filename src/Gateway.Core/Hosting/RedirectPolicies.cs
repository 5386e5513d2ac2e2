using System.Net;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>Ready-made <see cref="GatewayCoreOptions.RedirectPolicy"/> functions.</summary>
public static class RedirectPolicies
{
    /// <summary>A draining node: every new client (that supports redirect) goes to <paramref name="peer"/>.</summary>
    public static Func<IPEndPoint, GatewayIdentity?> Everyone(GatewayIdentity peer) => _ => peer;

    /// <summary>Clients from <paramref name="sources"/> go to <paramref name="peer"/>; the rest are served here.</summary>
    public static Func<IPEndPoint, GatewayIdentity?> From(IPNetwork sources, GatewayIdentity peer) => From([sources], peer);

    /// <summary>Clients from any of <paramref name="sources"/> go to <paramref name="peer"/>; the rest are served here.</summary>
    public static Func<IPEndPoint, GatewayIdentity?> From(IReadOnlyList<IPNetwork> sources, GatewayIdentity peer)
    {
        var copy = sources.ToArray(); // the policy runs on receive threads: no list the caller may still change
        return client =>
        {
            // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; compare it as IPv4.
            var address = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
            foreach (var network in copy)
                if (network.Contains(address))
                    return peer;
            return null;
        };
    }
}
