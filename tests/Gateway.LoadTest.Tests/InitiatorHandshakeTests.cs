using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Ike;
using Gateway.LoadTest.Profiles;

namespace Gateway.LoadTest.Tests;

/// <summary>The product initiator against our responder machine, in-process: every auth method and the error paths.</summary>
public sealed class InitiatorHandshakeTests
{
    // Real time: the gateway checks certificate validity at the message time, and the test PKI is issued now.
    private static readonly DateTime T0 = DateTime.UtcNow;

    private static InitiatorCredentials Eap(string password = InProcessGateway.EapPassword, Crypto.X509.IssuedCertificate? ca = null) => new()
    {
        Method = InitiatorAuthMethod.Eap,
        EapUser = InProcessGateway.EapUser,
        EapPassword = password,
        TrustedCas = [(ca ?? Pki.Ca).Certificate],
        GatewayIdentity = Pki.GatewayName,
    };

    private static (List<InitiatorEvent> Events, IkeInitiator Initiator) Run(InProcessGateway gateway, InitiatorSettings settings)
    {
        var initiator = new IkeInitiator(settings);
        var events = gateway.Drive(initiator, initiator.Start(T0), T0);
        var protocolError = events.OfType<TunnelFailed>().FirstOrDefault(f => f.Reason == InitiatorFailure.Protocol);
        Assert.True(protocolError is null, protocolError?.Detail);
        Assert.True(events.Any(e => e is TunnelEstablished or TunnelFailed), string.Join("; ", events) + " | gateway: " + string.Join("; ", gateway.Events) + " | " + initiator);
        return (events, initiator);
    }

    private static LoadProfile Profile(string name) => LoadProfile.Find(name)!;

    [Fact]
    public void Windows_profile_with_EAP_MSCHAPv2_establishes_and_floats_to_4500()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap()));
        using var _ = initiator;
        var established = Assert.Single(events.OfType<TunnelEstablished>());
        Assert.Equal(InitiatorPhase.Established, initiator.Phase);
        Assert.True(initiator.NatTraversal); // MOBIKE: IKE_AUTH on 4500 (RFC 4555 §3.3)
        Assert.Contains("MODP_1024", established.IkeProposal.ToUpperInvariant().Replace("MODP1024", "MODP_1024"));
        Assert.Equal(EncryptionAlgorithm.AesCbc, established.Child.Encryption);
        Assert.Equal(IntegrityAlgorithm.HmacSha1_96, established.Child.Integrity);
        Assert.Single(established.VirtualAddresses);
        Assert.Contains(gateway.Events, e => e is IkeSaEstablished);
        // Child keys agree with the gateway's installation (the initiator's outbound = gateway's inbound).
        var installed = gateway.Events.OfType<ChildSaEstablished>().Single().Sa;
        Assert.Equal(established.Child.Keys.EncryptionInitiatorToResponder, installed.InboundEncryptionKey);
        Assert.Equal(established.Child.OutboundSpi, installed.InboundSpi);
    }

    [Fact]
    public void Psk_profile_establishes()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("psk");
        var credentials = new InitiatorCredentials { Method = InitiatorAuthMethod.Psk, Identity = InProcessGateway.PskIdentity, Psk = InProcessGateway.Psk };
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, credentials, fragmentation: true));
        using var _ = initiator;
        Assert.Single(events.OfType<TunnelEstablished>());
    }

    [Fact]
    public void Certificate_profile_establishes_with_fragmentation_announced()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("cert");
        var credentials = new InitiatorCredentials
        {
            Method = InitiatorAuthMethod.Certificate, Certificate = Pki.Client.Certificate, TrustedCas = [Pki.Ca.Certificate],
        };
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, credentials, fragmentation: true));
        using var _ = initiator;
        Assert.True(!events.OfType<TunnelFailed>().Any(), string.Join("; ", gateway.Events));
        var established = Assert.Single(events.OfType<TunnelEstablished>());
        Assert.Equal(EncryptionAlgorithm.AesGcm16, established.Child.Encryption);
    }

    [Fact]
    public void Invalid_ke_is_retried_with_the_group_the_gateway_names()
    {
        using var gateway = new InProcessGateway(ike: ["aes256-sha256-ecp256"]);
        var s = Profile("strongswan"); // x25519 first; the gateway takes ecp256 only
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(s.IkeProposals, s.EspProposals, Eap()));
        using var _ = initiator;
        Assert.Equal(KeyExchangeGroup.Ecp256, Assert.Single(events.OfType<KeGroupRequested>()).Group);
        Assert.Single(events.OfType<TunnelEstablished>());
    }

    [Fact]
    public void A_cookie_request_is_answered_with_a_retry_carrying_the_cookie()
    {
        using var gateway = new InProcessGateway { RequireCookie = true };
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap()));
        using var _ = initiator;
        Assert.Single(events.OfType<CookieRequested>());
        Assert.Single(events.OfType<TunnelEstablished>());
    }

    [Fact]
    public void Wrong_password_is_reported_as_authentication_failed()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap(password: "wrong")));
        using var _ = initiator;
        Assert.Equal(InitiatorFailure.AuthenticationFailed, Assert.Single(events.OfType<TunnelFailed>()).Reason);
        Assert.Empty(events.OfType<TunnelEstablished>());
    }

    [Fact]
    public void A_gateway_certificate_from_a_CA_we_do_not_trust_is_refused()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap(ca: Pki.OtherCa)));
        using var _ = initiator;
        var failed = Assert.Single(events.OfType<TunnelFailed>());
        Assert.Equal(InitiatorFailure.GatewayNotTrusted, failed.Reason);
        Assert.Contains("not trusted", failed.Detail);
    }

    [Fact]
    public void With_the_runs_certificate_cache_the_chain_validates_once_and_an_untrusted_gateway_is_still_refused()
    {
        var p = Profile("windows");
        var eap = Eap();
        var cache = new GatewayCertificateCache(eap.TrustedCas);
        var credentials = eap with { GatewayCertificates = cache };
        using (var gateway = new InProcessGateway())
        {
            for (int i = 0; i < 2; i++)
            {
                var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, credentials));
                using var _ = initiator;
                Assert.Single(events.OfType<TunnelEstablished>());
            }
        }
        Assert.Equal(1, cache.Validations);

        using var impostorCertificate = Crypto.X509.DevelopmentPki.IssueGatewayCertificate(Pki.OtherCa, Pki.GatewayName);
        using var impostor = new InProcessGateway(certificate: impostorCertificate);
        var (refused, refusedInitiator) = Run(impostor, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, credentials));
        using var __ = refusedInitiator;
        var failed = Assert.Single(refused.OfType<TunnelFailed>());
        Assert.Equal(InitiatorFailure.GatewayNotTrusted, failed.Reason);
        Assert.Contains("not trusted", failed.Detail);
        Assert.Empty(refused.OfType<TunnelEstablished>());
    }

    [Fact]
    public void No_common_proposal_is_reported_as_no_proposal_chosen()
    {
        using var gateway = new InProcessGateway(ike: ["aes128gcm16-prfsha256-x25519"]);
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap()));
        using var _ = initiator;
        Assert.Equal(InitiatorFailure.NoProposalChosen, Assert.Single(events.OfType<TunnelFailed>()).Reason);
    }

    [Fact]
    public void Silence_is_retransmitted_then_reported_as_a_timeout()
    {
        var p = Profile("windows");
        using var initiator = new IkeInitiator(InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap()));
        var step = initiator.Start(T0);
        var first = Assert.Single(step.Send).Message;
        int sends = 1;
        var events = new List<InitiatorEvent>();
        for (var now = T0; now < T0.AddSeconds(60) && initiator.Phase == InitiatorPhase.SaInit; now = now.AddMilliseconds(500))
        {
            var tick = initiator.Tick(now);
            sends += tick.Send.Count;
            Assert.All(tick.Send, d => Assert.Equal(first, d.Message)); // retransmissions are the same bytes
            events.AddRange(tick.Events);
        }
        Assert.Equal(InitiatorFailure.Timeout, Assert.Single(events.OfType<TunnelFailed>()).Reason);
        Assert.Equal(4, sends); // first send + 3 retransmissions; waits 1, 2, 4, 8 s: gives up 15 s after the first
    }

    [Fact]
    public void Teardown_deletes_the_IKE_SA_and_the_gateway_answers()
    {
        using var gateway = new InProcessGateway();
        var p = Profile("windows");
        var (events, initiator) = Run(gateway, InProcessGateway.Settings(p.IkeProposals, p.EspProposals, Eap()));
        using var _ = initiator;
        Assert.Single(events.OfType<TunnelEstablished>());
        var closing = gateway.Drive(initiator, initiator.Close(T0.AddSeconds(1)), T0.AddSeconds(1));
        Assert.Single(closing.OfType<TunnelClosed>());
        Assert.Equal(InitiatorPhase.Closed, initiator.Phase);
    }
}
