using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.LoadTest.Profiles;
using GatewayChildRekeyed = Gateway.Core.IkeSa.ChildSaRekeyed;
using GatewayIkeRekeyed = Gateway.Core.IkeSa.IkeSaRekeyed;
using ChildRekeyed = Gateway.Core.Initiator.ChildSaReplaced;
using IkeRekeyed = Gateway.Core.Initiator.IkeSaReplaced;

namespace Gateway.LoadTest.Tests;

/// <summary>
/// The product initiator on an established SA, against our responder in-process: child and IKE SA rekeys started by
/// either side, MOBIKE moves. Each checks what the gateway made of it (its events), so both sides agree on keys and SPIs.
/// </summary>
public sealed class EstablishedExchangeTests
{
    private static readonly DateTime T0 = DateTime.UtcNow;

    /// <param name="adjust">Changes to the initiator's settings (e.g. RFC 6311 support).</param>
    internal static (InProcessGateway Gateway, IkeInitiator Initiator, TunnelEstablished Established) Establish(string profile = "windows",
        Func<InitiatorSettings, InitiatorSettings>? adjust = null)
    {
        var gateway = new InProcessGateway();
        var p = LoadProfile.Find(profile)!;
        var credentials = new InitiatorCredentials
        {
            Method = InitiatorAuthMethod.Eap,
            EapUser = InProcessGateway.EapUser,
            EapPassword = InProcessGateway.EapPassword,
            TrustedCas = [Pki.Ca.Certificate],
            GatewayIdentity = Pki.GatewayName,
        };
        var settings = InProcessGateway.Settings(p.IkeProposals, p.EspProposals, credentials);
        var initiator = new IkeInitiator(adjust is null ? settings : adjust(settings));
        var events = gateway.Drive(initiator, initiator.Start(T0), T0);
        var established = Assert.Single(events.OfType<TunnelEstablished>());
        return (gateway, initiator, established);
    }

    [Fact]
    public void Our_child_rekey_makes_keys_the_gateway_agrees_on_and_deletes_the_old_child()
    {
        var (gateway, initiator, established) = Establish();
        using var _ = gateway;
        using var __ = initiator;
        var old = established.Child;

        var events = gateway.Drive(initiator, initiator.RekeyChild(T0.AddSeconds(1)), T0.AddSeconds(1));

        var rekeyed = Assert.Single(events.OfType<ChildRekeyed>());
        Assert.False(rekeyed.ByGateway);
        Assert.Equal(old, rekeyed.Old);
        Assert.NotEqual(old.InboundSpi, rekeyed.New.InboundSpi);
        var theirs = Assert.Single(gateway.Events.OfType<GatewayChildRekeyed>()).NewSa;
        Assert.Equal(rekeyed.New.OutboundSpi, theirs.InboundSpi);
        Assert.Equal(rekeyed.New.InboundSpi, theirs.OutboundSpi);
        Assert.Equal(rekeyed.New.OutboundEncryptionKey, theirs.InboundEncryptionKey);
        Assert.Equal(rekeyed.New.OutboundIntegrityKey, theirs.InboundIntegrityKey);
        Assert.Equal(rekeyed.New.InboundEncryptionKey, theirs.OutboundEncryptionKey);
        // Then the old child's Delete, answered: both sides drop it.
        Assert.Equal(old.InboundSpi, Assert.Single(events.OfType<ChildSaRetired>()).InboundSpi);
        Assert.Contains(gateway.Events, e => e is ChildSaDeleted d && d.InboundSpi == old.OutboundSpi);
        Assert.Equal([InitiatorExchange.ChildRekey, InitiatorExchange.ChildDelete], events.OfType<ExchangeDone>().Select(d => d.Exchange));
        Assert.Same(rekeyed.New, initiator.Child);
        Assert.True(initiator.CanStartExchange);
    }

    [Fact]
    public void Our_IKE_SA_rekey_moves_to_new_SPIs_and_the_new_SA_carries_the_next_exchanges()
    {
        var (gateway, initiator, _) = Establish("strongswan");
        using var __ = gateway;
        using var ___ = initiator;
        ulong before = initiator.LocalSpi;

        var events = gateway.Drive(initiator, initiator.RekeyIkeSa(T0.AddSeconds(1)), T0.AddSeconds(1));

        var rekeyed = Assert.Single(events.OfType<IkeRekeyed>());
        Assert.Equal(before, rekeyed.OldLocalSpi);
        Assert.NotEqual(before, rekeyed.NewLocalSpi);
        Assert.Equal(rekeyed.NewLocalSpi, initiator.LocalSpi);
        var theirs = Assert.Single(gateway.Events.OfType<GatewayIkeRekeyed>());
        Assert.False(theirs.LocalIsOriginalInitiator);
        Assert.Equal(initiator.SpiI, theirs.NewInitiatorSpi);
        Assert.Equal(initiator.SpiR, theirs.NewResponderSpi);
        Assert.Contains(events, e => e is ExchangeDone { Exchange: InitiatorExchange.IkeRekey });
        // Our Delete of the old SA was answered on it: the old SPI can go.
        Assert.Equal(before, Assert.Single(events.OfType<IkeSaRetired>()).LocalSpi);

        // The new SA's keys agree: a child rekey over it succeeds, and so does the final Delete.
        var next = gateway.Drive(initiator, initiator.RekeyChild(T0.AddSeconds(2)), T0.AddSeconds(2));
        Assert.Contains(next, e => e is ExchangeDone { Exchange: InitiatorExchange.ChildRekey });
        var closing = gateway.Drive(initiator, initiator.Close(T0.AddSeconds(3)), T0.AddSeconds(3));
        Assert.Single(closing.OfType<TunnelClosed>());
    }

    [Fact]
    public void A_MOBIKE_move_sends_UPDATE_SA_ADDRESSES_from_the_new_address_and_the_gateway_follows()
    {
        var (gateway, initiator, established) = Establish();
        using var _ = gateway;
        using var __ = initiator;
        Assert.True(initiator.MobikeAgreed);
        var moved = new IPEndPoint(IPAddress.Parse("192.0.2.77"), 50123);

        var events = gateway.Drive(initiator, initiator.MoveTo(moved, T0.AddSeconds(1)), T0.AddSeconds(1));

        Assert.Contains(events, e => e is ExchangeDone { Exchange: InitiatorExchange.AddressUpdate });
        Assert.DoesNotContain(events, e => e is ExchangeFailed);
        Assert.Equal(moved, initiator.Local);
        Assert.Equal(moved, Assert.Single(gateway.Events.OfType<PeerAddressChanged>()).Remote);
        // The child's traffic follows (after the gateway's return-routability check, which we answer, if it makes one).
        var child = Assert.Single(gateway.Events.OfType<ChildSaMoved>());
        Assert.Equal(moved, child.Remote);
        Assert.Equal(established.Child.OutboundSpi, child.InboundSpi);
    }

    [Fact]
    public void A_move_while_another_exchange_is_outstanding_waits()
    {
        var (gateway, initiator, _) = Establish();
        using var __ = gateway;
        using var ___ = initiator;
        var rekey = initiator.RekeyChild(T0.AddSeconds(1));
        Assert.Single(rekey.Send);
        Assert.False(initiator.CanStartExchange);
        Assert.Empty(initiator.MoveTo(new IPEndPoint(IPAddress.Parse("192.0.2.78"), 50124), T0.AddSeconds(1)).Send);
        Assert.Empty(initiator.Close(T0.AddSeconds(1)).Send); // window 1: the Delete waits for the answer too
        Assert.Equal(InitiatorPhase.Established, initiator.Phase);
    }

    [Fact]
    public void The_gateways_child_rekey_is_answered_with_keys_it_agrees_on_and_its_Delete_retires_the_old_child()
    {
        var (gateway, initiator, established) = Establish();
        using var _ = gateway;
        using var __ = initiator;
        string soft = gateway.Timers.Single(k => k.StartsWith("child-soft:", StringComparison.Ordinal));

        var events = gateway.Drive(initiator, InitiatorStep.Nothing, gateway.Fire(soft, T0.AddSeconds(1)), T0.AddSeconds(1));

        var rekeyed = Assert.Single(events.OfType<ChildRekeyed>());
        Assert.True(rekeyed.ByGateway);
        Assert.False(rekeyed.New.WeInitiated);
        var theirs = Assert.Single(gateway.Events.OfType<GatewayChildRekeyed>()).NewSa;
        Assert.Equal(rekeyed.New.OutboundSpi, theirs.InboundSpi);
        Assert.Equal(rekeyed.New.InboundSpi, theirs.OutboundSpi);
        Assert.Equal(rekeyed.New.OutboundEncryptionKey, theirs.InboundEncryptionKey);
        Assert.Equal(rekeyed.New.InboundEncryptionKey, theirs.OutboundEncryptionKey);
        Assert.Equal(rekeyed.New.InboundIntegrityKey, theirs.OutboundIntegrityKey);
        Assert.Equal(established.Child.InboundSpi, Assert.Single(events.OfType<ChildSaRetired>()).InboundSpi);
    }

    [Fact]
    public void The_gateways_IKE_SA_rekey_is_answered_and_we_carry_on_as_its_responder()
    {
        var (gateway, initiator, _) = Establish("strongswan");
        using var __ = gateway;
        using var ___ = initiator;

        var events = gateway.Drive(initiator, InitiatorStep.Nothing, gateway.Fire("ike-rekey", T0.AddSeconds(1)), T0.AddSeconds(1));

        var rekeyed = Assert.Single(events.OfType<IkeRekeyed>());
        Assert.True(rekeyed.ByGateway);
        // The gateway deletes the old SA on the old SA; we answer there, and it is retired on our side too.
        Assert.Equal(rekeyed.OldLocalSpi, Assert.Single(events.OfType<IkeSaRetired>()).LocalSpi);
        var theirs = Assert.Single(gateway.Events.OfType<GatewayIkeRekeyed>());
        Assert.True(theirs.LocalIsOriginalInitiator);
        Assert.Equal(theirs.NewResponderSpi, initiator.LocalSpi);
        Assert.Equal(theirs.NewInitiatorSpi, initiator.SpiI);
        // Our requests on the gateway's SA (no I flag now) are understood: a child rekey, then the Delete.
        var next = gateway.Drive(initiator, initiator.RekeyChild(T0.AddSeconds(2)), T0.AddSeconds(2));
        Assert.Contains(next, e => e is ExchangeDone { Exchange: InitiatorExchange.ChildRekey });
        var closing = gateway.Drive(initiator, initiator.Close(T0.AddSeconds(3)), T0.AddSeconds(3));
        Assert.Single(closing.OfType<TunnelClosed>());
    }

    [Fact]
    public void An_unanswered_rekey_gives_the_SA_up_after_the_retransmissions()
    {
        var (gateway, initiator, _) = Establish();
        using var __ = gateway;
        using var ___ = initiator;
        var step = initiator.RekeyChild(T0.AddSeconds(1));
        var events = new List<InitiatorEvent>();
        var now = T0.AddSeconds(1);
        while (step.Deadline is { } due)
        {
            now = due;
            step = initiator.Tick(now);
            events.AddRange(step.Events);
        }
        var failed = Assert.Single(events.OfType<ExchangeFailed>());
        Assert.Equal(InitiatorExchange.ChildRekey, failed.Exchange);
        Assert.True(failed.SaLost);
        Assert.Equal(InitiatorPhase.Closed, initiator.Phase);
    }
}
