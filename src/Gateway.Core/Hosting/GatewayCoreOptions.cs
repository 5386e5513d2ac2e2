using System.Net;
using Gateway.Core.Metrics;
using Gateway.Ike;

namespace Gateway.Core.Hosting;

/// <summary>Settings of the IKE core on one node. The executable fills them from hocon/gateway.conf.</summary>
public sealed record GatewayCoreOptions
{
    /// <summary>Sharding type name of the session entities; the same on every node.</summary>
    public string EntityTypeName { get; init; } = "ike-session";

    /// <summary>Number of shards; the same on every node (it is part of the SPI → shard rule). ~10× the largest node count.</summary>
    public int ShardCount { get; init; } = 100;

    /// <summary>Most half-open IKE SAs on this node; further IKE_SA_INIT requests are dropped (cookies start well before).</summary>
    public int HalfOpenLimit { get; init; } = 10_000;

    /// <summary>How long an IKE SA may stay half-open (before IKE_AUTH completes); strongSwan's default is 30 s too.</summary>
    public TimeSpan HalfOpenLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Half-open SAs on this node from which on every IKE_SA_INIT must carry a valid cookie (RFC 7296 §2.6). 0 demands
    /// cookies always; <see cref="int.MaxValue"/> never by count (the per-source rate still applies).
    /// </summary>
    public int CookieThreshold { get; init; } = 500;

    /// <summary>How often the cookie secret is replaced.</summary>
    public TimeSpan CookieSecretRotation { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long cookies made with the previous secret stay valid after a rotation.</summary>
    public TimeSpan CookieSecretGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Sustained IKE_SA_INIT requests per second one source address may send before it must answer a cookie (clients
    /// behind one NAT share it). Null turns the per-source check off.
    /// </summary>
    public double? SourceRatePerSecond { get; init; } = 5;

    /// <summary>Burst of IKE_SA_INIT requests one source address may send before the rate applies.</summary>
    public int SourceRateBurst { get; init; } = 20;

    /// <summary>Token buckets in the per-source table (fixed: memory does not grow with spoofed sources; 16 bytes each).</summary>
    public int SourceRateTableSize { get; init; } = 4096;

    /// <summary>
    /// Redirect during IKE_SA_INIT (RFC 5685 §4): the client's address → the gateway to send it to, or null to serve it
    /// here. Only peers that sent REDIRECT_SUPPORTED are redirected. Null (the default): never. A draining node uses
    /// <see cref="RedirectPolicies.Everyone"/>.
    /// </summary>
    public Func<IPEndPoint, GatewayIdentity?>? RedirectPolicy { get; init; }

    /// <summary>After an operator redirect of an established SA, how long the client has to move before we delete the SA.</summary>
    public TimeSpan RedirectTimeout { get; init; } = TimeSpan.FromSeconds(30);

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

    /// <summary>
    /// Keys for state at rest. Set: established IKE SAs are persisted in the configured Akka.Persistence journal
    /// (see <see cref="GatewayPersistenceConfig"/>) and the session waker brings them back; null: nothing is persisted.
    /// </summary>
    public Persistence.StateKeyRing? StateKeys { get; init; }

    /// <summary>How far ahead of use the persisted outbound ESP sequence mark is kept (see <see cref="Sessions.SessionPersistence"/>).</summary>
    public ulong SequenceMargin { get; init; } = Sessions.SessionPersistence.DefaultSequenceMargin;

    /// <summary>How long a received inbound ESP sequence number may wait before its mark is saved (see <see cref="Sessions.SessionPersistence"/>).</summary>
    public TimeSpan InboundMarkInterval { get; init; } = Sessions.SessionPersistence.DefaultInboundMarkInterval;

    /// <summary>
    /// Cluster role of the nodes that host sessions and the address registry (a node without it only routes to them).
    /// Null: every node. The executable uses "gateway" (gateway.cluster.roles).
    /// </summary>
    public string? Role { get; init; }

    /// <summary>
    /// How long an IKE SA waits for the cluster's address registry before IKE_AUTH is answered with
    /// INTERNAL_ADDRESS_FAILURE (clients retransmit IKE_AUTH meanwhile; the retransmissions are absorbed).
    /// </summary>
    public TimeSpan AddressLeaseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The Akka.Persistence query plugin over the session journal (with persistence): the session waker reads the live
    /// sessions' persistence ids through it (<see cref="GatewayPersistenceConfig"/> configures the SQL one).
    /// </summary>
    public string ReadJournalPluginId { get; init; } = GatewayPersistenceConfig.ReadJournalPluginId;

    /// <summary>
    /// With persistence: how often and how cautiously the address registry frees the leases of sessions gone from the
    /// journal whose release never arrived (see <see cref="Addresses.LeaseReconciler"/>).
    /// </summary>
    public Addresses.LeaseReconcilerOptions LeaseReconciliation { get; init; } = Addresses.LeaseReconcilerOptions.Default;

    public static readonly GatewayCoreOptions Default = new();
}
