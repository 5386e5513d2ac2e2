using Gateway.Core.Metrics;

namespace Gateway.Core.Hosting;

/// <summary>Settings of the IKE core on one node. The executable fills them from hocon/gateway.conf.</summary>
public sealed record GatewayCoreOptions
{
    /// <summary>Sharding type name of the session entities; the same on every node.</summary>
    public string EntityTypeName { get; init; } = "ike-session";

    /// <summary>Number of shards; the same on every node (it is part of the SPI → shard rule). ~10× the largest node count.</summary>
    public int ShardCount { get; init; } = 100;

    /// <summary>Most half-open IKE SAs on this node; further IKE_SA_INIT requests are dropped (cookies come later).</summary>
    public int HalfOpenLimit { get; init; } = 10_000;

    /// <summary>How long an IKE SA may stay half-open (before IKE_AUTH completes); strongSwan's default is 30 s too.</summary>
    public TimeSpan HalfOpenLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often IKE SA actors read child SA counters to feed byte lifetimes and liveness.</summary>
    public TimeSpan CounterPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Options of the real responder machine (its half-open timeout is <see cref="HalfOpenLifetime"/>).</summary>
    public IkeSa.ResponderOptions Responder { get; init; } = IkeSa.ResponderOptions.Default;

    public IGatewayMetrics Metrics { get; init; } = NoopGatewayMetrics.Instance;

    /// <summary>The clock the machines see and half-open expiry uses (tests substitute their own).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often the node re-reads which shards it hosts, to draw new SPIs inside them (so a client's packets keep
    /// arriving at the node that hosts its SA). Null turns the preference off. With one member it is never needed.
    /// </summary>
    public TimeSpan? LocalShardRefresh { get; init; } = TimeSpan.FromSeconds(5);

    public static readonly GatewayCoreOptions Default = new();
}
