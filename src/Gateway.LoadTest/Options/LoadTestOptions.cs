using System.Net;

namespace Gateway.LoadTest.Options;

/// <summary>A validated run description. Every run is bounded: <see cref="Total"/> tunnels and <see cref="Duration"/>.</summary>
public sealed record LoadTestOptions
{
    public required IPEndPoint Target { get; init; }
    public int Concurrency { get; init; } = 10;

    /// <summary>New tunnels started per second; 0 = as fast as <see cref="Concurrency"/> allows.</summary>
    public double Rate { get; init; } = 10;

    public int Total { get; init; } = 100;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Addresses to send from (round-robin over tunnels); empty: the address the OS routes the target from.</summary>
    public IReadOnlyList<IPAddress> Sources { get; init; } = [];

    /// <summary>Source prefix to take local addresses from (resolved against the interfaces at start).</summary>
    public IPNetwork? SourcePrefix { get; init; }

    public string Profile { get; init; } = "windows";
    public string? User { get; init; }
    public string? Password { get; init; }
    public string? Psk { get; init; }
    public string? CertPath { get; init; }
    public string? KeyPath { get; init; }
    public string? CaPath { get; init; }
    public string? Identity { get; init; }
    public string? RemoteIdentity { get; init; }

    /// <summary>ESP packets per second per tunnel (0: none) and their inner size in bytes.</summary>
    public double EspRate { get; init; }

    public int EspSize { get; init; } = 100;

    /// <summary>Where the ICMP echo requests go (an IPv4 host behind the gateway); required with <see cref="EspRate"/>.</summary>
    public IPAddress? EspTarget { get; init; }

    /// <summary>Share of the established tunnels moved to another source address per second (MOBIKE), 0..1; 0: none.</summary>
    public double RoamRate { get; init; }

    /// <summary>Each tunnel rekeys its child SA / its IKE SA this long after it came up and after each rekey; null: never.</summary>
    public TimeSpan? ChildRekeyInterval { get; init; }

    public TimeSpan? IkeRekeyInterval { get; init; }

    /// <summary>Announce RFC 6311 message-ID sync support and answer a gateway cluster's sync request (strongSwan does too).</summary>
    public bool MessageIdSync { get; init; }

    /// <summary>Announce RFC 6311 replay counter sync too; a sync request then moves the outbound ESP counters on.</summary>
    public bool ReplayCounterSync { get; init; }

    /// <summary>Delete every established tunnel at the end of the run (else they are left to the gateway's liveness check).</summary>
    public bool Teardown { get; init; }

    public string? ReportDir { get; init; }
    public bool Quiet { get; init; }

    public override string ToString() => $"LoadTestOptions({Target}, {Profile}, total {Total}; secrets redacted)";
}
