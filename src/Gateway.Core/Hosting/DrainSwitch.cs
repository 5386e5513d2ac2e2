using System.Net;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>
/// The IKE_SA_INIT redirect policy of a node whose draining an operator switches at run time: while a drain target is
/// set every new client (that announced REDIRECT_SUPPORTED) goes there; otherwise the configured per-source policy
/// (or none) decides. Hand <see cref="Choose"/> to <see cref="GatewayCoreOptions.RedirectPolicy"/>. Read on the
/// receive threads for every IKE_SA_INIT, changed rarely by the control channel: one volatile field, no lock.
/// </summary>
public sealed class DrainSwitch(GatewayIdentity? drainTarget, Func<IPEndPoint, GatewayIdentity?>? otherwise)
{
    // GatewayIdentity is a struct: boxed in a reference so that a switch is one atomic, visible write.
    private volatile Target? _drain = drainTarget is { } t ? new Target(t) : null;

    private sealed record Target(GatewayIdentity Gateway);

    /// <summary>Where new clients go while draining; null: not draining.</summary>
    public GatewayIdentity? DrainTarget => _drain?.Gateway;

    /// <summary>Whether clients outside a drain are redirected by source prefix (gateway.dos.redirect.sources).</summary>
    public bool HasSourcePolicy => otherwise is not null;

    public void Drain(GatewayIdentity target) => _drain = new Target(target);

    public void Undrain() => _drain = null;

    public GatewayIdentity? Choose(IPEndPoint client) => _drain is { } drain ? drain.Gateway : otherwise?.Invoke(client);
}
