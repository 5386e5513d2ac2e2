using System.Net;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>Ready-made <see cref="GatewayCoreOptions.RedirectPolicy"/> functions.</summary>
public static class RedirectPolicies
{
    /// <summary>A draining node: every new client (that supports redirect) goes to <paramref name="peer"/>.</summary>
    public static Func<IPEndPoint, GatewayIdentity?> Everyone(GatewayIdentity peer) => _ => peer;

    /// <summary>Clients from <paramref name="sources"/> go to <paramref name="peer"/>; the rest are served here.</summary>
    public static Func<IPEndPoint, GatewayIdentity?> From(IPNetwork sources, GatewayIdentity peer) =>
        client => sources.Contains(client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address) ? peer : null;
}
