using System.Net;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>
/// Addresses leased outside the machine (the cluster's registry): the authenticated IKE_AUTH waits for the lease,
/// retransmissions meanwhile are absorbed, and the answer — addresses or none — completes the exchange.
/// </summary>
public sealed class ExternalAddressLeaseTests
{
    private static readonly IPAddress Leased = IPAddress.Parse("10.77.0.99");

    private static (IkeSaResponder Sa, TestInitiator Client, TestGateway Gateway) Start(bool initialContact = true)
    {
        var gateway = new TestGateway();
        var sa = gateway.NewSa(ResponderOptions.Default with { ExternalAddressLeases = true });
        var client = new TestInitiator(sa) { SendInitialContact = initialContact };
        client.SaInit("aes256-sha256-modp2048");
        return (sa, client, gateway);
    }

    private static Round Authenticate(TestInitiator client) =>
        client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, TestInitiator.AddressRequest(v6: false)));

    [Fact]
    public void IKE_AUTH_waits_for_the_lease_and_answers_with_the_leased_address()
    {
        var (sa, client, gateway) = Start();
        using var _ = sa;
        using var __ = client;

        var round = Authenticate(client);
        Assert.Null(round.Response); // nothing leaves before the lease
        var needed = round.Step.Single<AddressLeaseNeeded>();
        Assert.Equal(new AddressLeaseNeeded(TestGateway.PskIdentity, Ipv4: true, Ipv6: false, ReplaceOthers: true), needed);
        Assert.Equal(IkeSaPhase.AwaitingAddresses, sa.Phase);
        Assert.Null(sa.TryExportSnapshot()); // not established: nothing to persist yet

        var retransmitted = client.Deliver(round.Request);
        Assert.Empty(retransmitted.Send);
        Assert.Empty(retransmitted.Events); // absorbed, not counted as a drop

        var done = sa.Handle(new AddressLeaseAnswered([Leased], client.Now));
        var (header, payloads) = client.OpenAll(TestInitiator.ResponsesTo(done, 1));
        Assert.Equal(ExchangeType.IkeAuth, header.ExchangeType);
        client.VerifyGatewayPsk(payloads, TestGateway.Psk);
        var cp = Assert.Single(payloads.OfType<ConfigurationPayload>());
        Assert.Contains(cp.Attributes, a => a.AttributeType == ConfigurationAttributeType.InternalIp4Address && a.Value.Span.SequenceEqual(Leased.GetAddressBytes()));
        Assert.Equal([Leased], done.Single<IkeSaEstablished>().VirtualAddresses);
        Assert.Equal([Leased], done.Single<ChildSaEstablished>().Sa.RemoteInnerAddresses);
        Assert.Single(done.All<InitialContactReceived>());
        Assert.Equal(IkeSaPhase.Established, sa.Phase);
        Assert.NotNull(sa.TryExportSnapshot());

        // The node-local pool was never asked: its first address is still free.
        Assert.Equal([IPAddress.Parse("10.77.0.2")], gateway.Services.LeaseAddresses("other", true, false));
        // A late second answer changes nothing.
        Assert.Empty(sa.Handle(new AddressLeaseAnswered([IPAddress.Parse("10.77.0.5")], client.Now)).Send);
        Assert.Equal([Leased], sa.VirtualAddresses);
    }

    [Fact]
    public void No_lease_is_INTERNAL_ADDRESS_FAILURE_without_a_child_SA()
    {
        var (sa, client, _) = Start(initialContact: false);
        using var _sa = sa;
        using var _client = client;

        var round = Authenticate(client);
        Assert.False(round.Step.Single<AddressLeaseNeeded>().ReplaceOthers);

        var done = sa.Handle(new AddressLeaseAnswered([], client.Now));
        var (_, payloads) = client.OpenAll(TestInitiator.ResponsesTo(done, 1));
        Assert.Contains(payloads.OfType<NotifyPayload>(), n => n.NotifyType == NotifyType.InternalAddressFailure);
        Assert.Empty(done.Single<IkeSaEstablished>().VirtualAddresses);
        Assert.Empty(done.All<ChildSaEstablished>());
    }

    [Fact]
    public void Without_an_address_request_nothing_waits()
    {
        var (sa, client, _) = Start();
        using var _sa = sa;
        using var _client = client;
        var round = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", 0xC0FFEE01, cp: null));
        Assert.NotNull(round.Response);
        Assert.Empty(round.Step.All<AddressLeaseNeeded>());
        Assert.Equal(IkeSaPhase.Established, sa.Phase);
    }
}
