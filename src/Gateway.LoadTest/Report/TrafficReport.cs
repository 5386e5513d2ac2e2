using Gateway.LoadTest.Stats;

namespace Gateway.LoadTest.Report;

/// <summary>One tunnel's echo requests sent, replies received, and the difference.</summary>
public sealed record TunnelTraffic(int Tunnel, long Sent, long Received, long Lost);

/// <summary>
/// ESP traffic of the run (inner packets: ICMP echo requests out, replies back). Rates are over the sending window (from
/// the first tunnel's first packet to the stop, which is 1 s before the run's end so the last replies can arrive).
/// </summary>
public sealed record EspSummary(
    int Tunnels, double RatePerTunnel, int InnerSize, string Target,
    long PacketsSent, long PacketsReceived, long PacketsLost, double LossPercent,
    long InnerBytesSent, long InnerBytesReceived, long InboundDropped, long SendErrors,
    double SendingSeconds, double SentPerSecond, double ReceivedPerSecond, double SentMbitPerSecond, double ReceivedMbitPerSecond,
    IReadOnlyList<TunnelTraffic> PerTunnel)
{
    /// <summary>Established tunnels that sent nothing: no IPv4 virtual address, or ESP not in UDP (raw ESP is not sent).</summary>
    public int TunnelsWithoutTraffic { get; init; }

    /// <summary>
    /// Replies that came in another tunnel's SA than their own: tunnels of one identity share a virtual address on both
    /// gateways, and the gateway sends that address's packets into one of their SAs. They count for their own tunnel.
    /// </summary>
    public long RepliesOnOtherTunnelsSas { get; init; }

    /// <summary>Inbound ESP dropped, by reason (Replay, IcvFailure, UnknownSpi, PolicyViolation, Malformed, NotAnEchoReply, NoSuchTunnel).</summary>
    public IReadOnlyDictionary<string, long> InboundDroppedByReason { get; init; } = new Dictionary<string, long>();
}

/// <summary>Exchanges on established tunnels: ours (with latency) and the gateway's that we answered.</summary>
public sealed record ExchangesReport(
    ExchangeSummary Roams, ExchangeSummary ChildRekeys, ExchangeSummary IkeRekeys, ExchangeSummary ChildDeletes,
    int GatewayChildRekeys, int GatewayIkeRekeys, int GatewayInformational, int SasLost,
    IReadOnlyDictionary<string, int> FailuresByReason);
