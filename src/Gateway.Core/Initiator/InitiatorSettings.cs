using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Initiator;

public enum InitiatorAuthMethod { Eap, Certificate, Psk }

/// <summary>
/// Who we are and whom we trust. Secrets stay in here; <see cref="ToString"/> redacts them.
/// </summary>
public sealed record InitiatorCredentials
{
    public required InitiatorAuthMethod Method { get; init; }

    /// <summary>IDi as text (FQDN, user@fqdn, address or a DN); null: our outer address for EAP (as Windows does), the certificate's name for certificates.</summary>
    public string? Identity { get; init; }

    public string? EapUser { get; init; }
    public string? EapPassword { get; init; }
    public byte[]? Psk { get; init; }

    /// <summary>Our certificate with its private key (certificate authentication).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>CAs the gateway's certificate must chain to (certificate and EAP methods: the gateway signs).</summary>
    public IReadOnlyList<X509Certificate2> TrustedCas { get; init; } = [];

    /// <summary>
    /// Validated gateway certificate chains shared by many initiators (a load run); built over <see cref="TrustedCas"/>
    /// (the same list) or it is not used. Null: every handshake parses and validates the gateway's chain.
    /// </summary>
    public GatewayCertificateCache? GatewayCertificates { get; init; }

    /// <summary>When set, the gateway's IDr must be this (else it is only checked against the certificate chain).</summary>
    public string? GatewayIdentity { get; init; }

    public override string ToString() => $"InitiatorCredentials({Method}, id={Identity ?? "-"}, user={EapUser ?? "-"}; secrets redacted)";
}

/// <summary>How one initiator behaves: proposals (ProposalSyntax text, preferred first), features, timing.</summary>
public sealed record InitiatorSettings
{
    public required IReadOnlyList<string> IkeProposals { get; init; }
    public required IReadOnlyList<string> EspProposals { get; init; }
    public required InitiatorCredentials Credentials { get; init; }

    /// <summary>Where we send from (NAT-D hashes use it). Port 0 is not allowed: the shell binds first.</summary>
    public required IPEndPoint Local { get; init; }

    public required IPEndPoint Gateway { get; init; }

    /// <summary>Send MOBIKE_SUPPORTED in IKE_AUTH; with it we move to port 4500 for IKE_AUTH (RFC 4555 §3.3).</summary>
    public bool Mobike { get; init; } = true;

    /// <summary>Announce IKEV2_FRAGMENTATION_SUPPORTED and fragment our large requests (RFC 7383).</summary>
    public bool Fragmentation { get; init; }

    /// <summary>Largest IP datagram before we fragment (when negotiated).</summary>
    public int FragmentSize { get; init; } = 1280;

    /// <summary>Announce REDIRECT_SUPPORTED (RFC 5685); a redirect is then followed once.</summary>
    public bool RedirectSupport { get; init; } = true;

    /// <summary>
    /// Announce IKEV2_MESSAGE_ID_SYNC_SUPPORTED (RFC 6311) and answer a gateway cluster's message-ID sync after it
    /// resumed our SA on another node (strongSwan clients do the same when asked).
    /// </summary>
    public bool MessageIdSync { get; init; }

    /// <summary>
    /// With <see cref="MessageIdSync"/>: announce IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED too and report the replay counter
    /// delta of a sync (the shell moves its outbound ESP counters by it). strongSwan does not implement this.
    /// </summary>
    public bool ReplayCounterSync { get; init; }

    /// <summary>Send N(INITIAL_CONTACT). Off by default: many load tunnels share one identity, and the gateway would delete the others.</summary>
    public bool InitialContact { get; init; }

    /// <summary>Ask for an IPv4 virtual address (and IPv6 when <see cref="RequestIpv6"/>).</summary>
    public bool RequestIpv4 { get; init; } = true;

    public bool RequestIpv6 { get; init; }

    /// <summary>Waits after each send of a request before the next retransmission; after the last, the request has timed out.</summary>
    public IReadOnlyList<TimeSpan> RetransmitWaits { get; init; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];
}
