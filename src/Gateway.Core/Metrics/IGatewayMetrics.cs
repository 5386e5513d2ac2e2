namespace Gateway.Core.Metrics;

/// <summary>
/// What the IKE core counts. The executable implements it with prometheus-net; tests use
/// <see cref="InMemoryGatewayMetrics"/>. Implementations must be thread-safe and cheap: the ingress calls them from
/// socket receive loops and actors call them concurrently.
/// </summary>
public interface IGatewayMetrics
{
    /// <summary>A message was dropped (counter by reason).</summary>
    void Dropped(DropReason reason);

    /// <summary>The node's half-open IKE SA count changed (gauge).</summary>
    void HalfOpenSas(int current);

    /// <summary>Established IKE SAs changed by <paramref name="delta"/> (gauge: +1 on IKE_AUTH success, -1 when it ends).</summary>
    void EstablishedSasChanged(int delta);

    /// <summary>Installed child SAs changed by <paramref name="delta"/> (gauge).</summary>
    void ChildSasChanged(int delta);

    /// <summary>An IKE SA machine threw and its IKE SA was stopped (counter).</summary>
    void IkeSaFaulted();

    /// <summary>A child SA actor failed and its SA was removed (counter).</summary>
    void ChildSaFaulted();

    /// <summary>An IKE SA's peer moved (MOBIKE UPDATE_SA_ADDRESSES, or a NAT mapping change) (counter).</summary>
    void PeerAddressChanged();

    /// <summary>An UPDATE_SA_ADDRESSES was refused, or its return-routability check failed (counter).</summary>
    void PeerAddressChangeRefused();

    /// <summary>An IKE SA entered liveness state <paramref name="state"/> (counter by state: dormant, waiting, connected again).</summary>
    void LivenessStateChanged(IkeSa.LivenessState state);

    /// <summary>A child SA was rekeyed, by either side (counter).</summary>
    void ChildSaRekeyed();

    /// <summary>An IKE SA was rekeyed, by either side (counter).</summary>
    void IkeSaRekeyed();

    // DoS protection and redirect (issue 4, docs/dos.md). No default bodies, like the rest: every implementation
    // (in-memory, no-op, the executable's Prometheus one) must export them.

    /// <summary>An IKE_SA_INIT was answered with N(COOKIE) (counter).</summary>
    void CookieSent();

    /// <summary>An IKE_SA_INIT came with a valid cookie (counter).</summary>
    void CookieValidated();

    /// <summary>An IKE_SA_INIT came with a cookie we did not make or no longer accept (counter).</summary>
    void CookieInvalid();

    /// <summary>An IKE_SA_INIT was answered with N(REDIRECT) by the redirect policy (counter).</summary>
    void SaInitRedirected();

    /// <summary>An established IKE SA was sent N(REDIRECT) by an operator command (counter).</summary>
    void IkeSaRedirected();

    /// <summary>An older IKE SA was deleted because its identity authenticated again with INITIAL_CONTACT (counter).</summary>
    void IkeSaReplacedByInitialContact();

    /// <summary>
    /// The address registry freed <paramref name="count"/> leases of sessions gone from the journal whose release never
    /// arrived (counter; counted on the node running the registry).
    /// </summary>
    void AddressLeasesReclaimed(int count);
}
