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
}

/// <summary>Exchanges on established tunnels: ours (with latency) and the gateway's that we answered.</summary>
public sealed record ExchangesReport(
    ExchangeSummary Roams, ExchangeSummary ChildRekeys, ExchangeSummary IkeRekeys, ExchangeSummary ChildDeletes,
    int GatewayChildRekeys, int GatewayIkeRekeys, int GatewayInformational, int SasLost,
    IReadOnlyDictionary<string, int> FailuresByReason);
