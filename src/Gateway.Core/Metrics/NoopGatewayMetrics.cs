namespace Gateway.Core.Metrics;

/// <summary>Counts nothing: the default when the host does not care.</summary>
public sealed class NoopGatewayMetrics : IGatewayMetrics
{
    public static readonly NoopGatewayMetrics Instance = new();

    public void Dropped(DropReason reason) { }
    public void HalfOpenSas(int current) { }
    public void EstablishedSasChanged(int delta) { }
    public void ChildSasChanged(int delta) { }
    public void IkeSaFaulted() { }
    public void ChildSaFaulted() { }
    public void PeerAddressChanged() { }
    public void PeerAddressChangeRefused() { }
    public void LivenessStateChanged(IkeSa.LivenessState state) { }
    public void ChildSaRekeyed() { }
    public void IkeSaRekeyed() { }
    public void CookieSent() { }
    public void CookieValidated() { }
    public void CookieInvalid() { }
    public void SaInitRedirected() { }
    public void IkeSaRedirected() { }
    public void IkeSaReplacedByInitialContact() { }
    public void AddressLeasesReclaimed(int count) { }
}
