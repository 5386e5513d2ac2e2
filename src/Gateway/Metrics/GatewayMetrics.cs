using Gateway.Core.Metrics;
using Prometheus;

namespace Gateway.Metrics;

/// <summary>
/// prometheus-net counters and gauges of one gateway process, on a registry of its own (tests create several).
/// Labelled children are bound once here, so counting on the packet path is one interlocked add, no allocation.
/// Also the IKE core's <see cref="IGatewayMetrics"/>.
/// </summary>
public sealed class GatewayMetrics : IGatewayMetrics
{
    private readonly Counter.Child[] _packetDrops;
    private readonly Counter.Child[] _ikeDrops;
    private readonly Gauge _halfOpen;
    private readonly Gauge _ikeSas;
    private readonly Gauge _childSas;
    private readonly Counter _ikeFaults;
    private readonly Counter _childFaults;
    private readonly Counter _peerMoves;
    private readonly Counter _peerMovesRefused;
    private readonly Counter.Child[] _liveness;
    private readonly Counter _childRekeys;
    private readonly Counter _ikeRekeys;
    private readonly Counter.Child[] _cookies;
    private readonly Counter _saInitRedirects;
    private readonly Counter _ikeSaRedirects;
    private readonly Counter _initialContactReplacements;
    private readonly Counter _leasesReclaimed;

    public GatewayMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        var packetDrops = factory.CreateCounter("gateway_packets_dropped_total",
            "Packets dropped by the sockets and the ESP data plane, by reason.", "reason");
        _packetDrops = Enum.GetValues<PacketDrop>().Select(r => packetDrops.WithLabels(Label(r.ToString()))).ToArray();
        var ikeDrops = factory.CreateCounter("gateway_ike_messages_dropped_total",
            "IKE messages dropped by the IKE core, by reason.", "reason");
        _ikeDrops = Enum.GetValues<DropReason>().Select(r => ikeDrops.WithLabels(Label(r.ToString()))).ToArray();

        _halfOpen = factory.CreateGauge("gateway_ike_sas_half_open", "Half-open IKE SAs on this node.");
        _ikeSas = factory.CreateGauge("gateway_ike_sas", "Established IKE SAs on this node.");
        _childSas = factory.CreateGauge("gateway_child_sas", "Child SAs installed in this node's data plane.");
        _ikeFaults = factory.CreateCounter("gateway_ike_sa_faults_total", "IKE SA machines that threw and were stopped.");
        _childFaults = factory.CreateCounter("gateway_child_sa_faults_total", "Child SA actors that failed.");
        _peerMoves = factory.CreateCounter("gateway_ike_peer_moves_total",
            "IKE SAs whose peer moved (MOBIKE UPDATE_SA_ADDRESSES or a NAT mapping change).");
        _peerMovesRefused = factory.CreateCounter("gateway_ike_peer_moves_refused_total",
            "Peer address changes refused (UNEXPECTED_NAT_DETECTED, failed return-routability check).");
        var liveness = factory.CreateCounter("gateway_ike_liveness_changes_total",
            "IKE SA liveness state changes, by the state entered (dormant, waiting_to_reconnect, connected).", "state");
        _liveness = Enum.GetValues<Gateway.Core.IkeSa.LivenessState>().Select(s => liveness.WithLabels(Label(s.ToString()))).ToArray();
        _childRekeys = factory.CreateCounter("gateway_child_sa_rekeys_total", "Child SAs rekeyed (by either side).");
        _ikeRekeys = factory.CreateCounter("gateway_ike_sa_rekeys_total", "IKE SAs rekeyed (by either side).");
        // One family for the cookie outcomes, so a dashboard sees sent vs. returned (valid/invalid) side by side.
        var cookies = factory.CreateCounter("gateway_ike_cookies_total",
            "IKE_SA_INIT cookies (RFC 7296 §2.6): sent (N(COOKIE) answers), valid and invalid ones returned.", "outcome");
        _cookies = [cookies.WithLabels("sent"), cookies.WithLabels("valid"), cookies.WithLabels("invalid")];
        _saInitRedirects = factory.CreateCounter("gateway_ike_sa_init_redirects_total",
            "IKE_SA_INIT requests answered with N(REDIRECT) by the redirect policy (RFC 5685 §4).");
        _ikeSaRedirects = factory.CreateCounter("gateway_ike_sa_redirects_total",
            "Established IKE SAs sent N(REDIRECT) by an operator command (RFC 5685 §5).");
        _initialContactReplacements = factory.CreateCounter("gateway_ike_sa_initial_contact_replacements_total",
            "Older IKE SAs deleted because their identity authenticated again with INITIAL_CONTACT.");
        _leasesReclaimed = factory.CreateCounter("gateway_address_leases_reclaimed_total",
            "Virtual address leases freed by the address registry because their session was gone from the journal and its release never arrived.");
        PacketsIn = factory.CreateCounter("gateway_esp_packets_in_total", "ESP packets verified and delivered to the TUN device.");
        PacketsOut = factory.CreateCounter("gateway_esp_packets_out_total", "Inner packets sealed and sent as ESP.");
        // Several nodes sharing one address (SO_REUSEPORT): ESP the kernel gave to a node that does not own the SA.
        var forwarded = factory.CreateCounter("gateway_esp_forwarded_total",
            "ESP packets forwarded between nodes sharing the address: out = sent on to the owning node, in = received for an SA here.", "direction");
        EspForwardedOut = forwarded.WithLabels("out");
        EspForwardedIn = forwarded.WithLabels("in");
    }

    public CollectorRegistry Registry { get; }

    public Counter PacketsIn { get; }

    public Counter PacketsOut { get; }

    public Counter.Child EspForwardedOut { get; }

    public Counter.Child EspForwardedIn { get; }

    public void Drop(PacketDrop reason) => _packetDrops[(int)reason].Inc();

    public double DropCount(PacketDrop reason) => _packetDrops[(int)reason].Value;

    /// <summary>Data plane: an SA pair was installed (+1) or removed (-1).</summary>
    public void ChildSaInstalled(int delta) => _childSas.Inc(delta);

    public double ChildSas => _childSas.Value;

    // IGatewayMetrics (the IKE core).
    public void Dropped(DropReason reason) => _ikeDrops[(int)reason].Inc();

    public void HalfOpenSas(int current) => _halfOpen.Set(current);

    public void EstablishedSasChanged(int delta) => _ikeSas.Inc(delta);

    // The data plane counts installed SAs itself (gateway_child_sas); the core's view would count them twice.
    public void ChildSasChanged(int delta)
    {
    }

    public void IkeSaFaulted() => _ikeFaults.Inc();

    public void ChildSaFaulted() => _childFaults.Inc();

    public void PeerAddressChanged() => _peerMoves.Inc();

    public void PeerAddressChangeRefused() => _peerMovesRefused.Inc();

    public void LivenessStateChanged(Gateway.Core.IkeSa.LivenessState state) => _liveness[(int)state].Inc();

    public double LivenessChanges(Gateway.Core.IkeSa.LivenessState state) => _liveness[(int)state].Value;

    public void ChildSaRekeyed() => _childRekeys.Inc();

    public void IkeSaRekeyed() => _ikeRekeys.Inc();

    public void CookieSent() => _cookies[0].Inc();

    public void CookieValidated() => _cookies[1].Inc();

    public void CookieInvalid() => _cookies[2].Inc();

    public void SaInitRedirected() => _saInitRedirects.Inc();

    public void IkeSaRedirected() => _ikeSaRedirects.Inc();

    public void IkeSaReplacedByInitialContact() => _initialContactReplacements.Inc();

    public void AddressLeasesReclaimed(int count) => _leasesReclaimed.Inc(count);

    // "UnknownSpi" → "unknown_spi": Prometheus label values by convention are snake_case.
    private static string Label(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
