using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Crypto.Esp;
using Gateway.DataPlane;
using Gateway.Esp;
using Gateway.LoadTest.Traffic;

namespace Gateway.LoadTest.Tests;

/// <summary>
/// RFC 6311 end to end with the load generator as the peer: its initiator announces message-ID and replay counter
/// sync, the gateway's SA is moved to another node through the journal's serializer, the initiator answers the sync
/// and its ESP flow jumps by the delta; the gateway's resumed inbound window (as its data plane builds it, raised as
/// its data plane raises it) accepts the flow and refuses a packet captured before the failover above the mark.
/// </summary>
public sealed class ReplayCounterSyncTests
{
    private static readonly DateTime T0 = DateTime.UtcNow;
    private static readonly IPAddress Target = IPAddress.Parse("10.10.0.5");
    private static readonly IPEndPoint GatewayEsp = new(InProcessGateway.Address.Address, 4500);
    private const ulong Delta = 1ul << 23;

    private static (InProcessGateway Gateway, IkeInitiator Initiator, TunnelEstablished Established) Establish(bool messageIdSync, bool replayCounterSync) =>
        EstablishedExchangeTests.Establish("windows", s => s with { MessageIdSync = messageIdSync, ReplayCounterSync = replayCounterSync });

    /// <summary>The gateway's inbound half of a child SA, as EspDataPlane.Install builds it (window from the installation's start).</summary>
    private static (SecurityAssociationTable Table, ReplayWindow Window) GatewayInbound(ChildSaInstallation sa, IPAddress virtualAddress)
    {
        var window = new ReplayWindow(ReplayWindow.DefaultSize, sa.ExtendedSequenceNumbers, sa.InboundSequenceStart);
        var cipher = new EspCipherAdapter(EspTransformFactory.Create(sa.Encryption, sa.EncryptionKeyBits, sa.Integrity,
            sa.InboundEncryptionKey, sa.InboundIntegrityKey, sa.ExtendedSequenceNumbers));
        var table = new SecurityAssociationTable();
        table.TryAddInbound(new InboundSa(sa.InboundSpi, cipher, window, new PeerPath(InProcessGateway.Client, true),
            [InnerAddress.FromIPAddress(virtualAddress)]));
        return (table, window);
    }

    private static InboundResult Receive(SecurityAssociationTable table, ReadOnlySpan<byte> esp) =>
        EspInbound.Process(table, esp, new byte[esp.Length], out _, out _);

    [Fact]
    public void The_initiator_announces_both_and_the_gateway_echoes_both()
    {
        var (gateway, initiator, _) = Establish(messageIdSync: true, replayCounterSync: true);
        using var _g = gateway;
        using var _i = initiator;
        Assert.True(gateway.Only.PeerSupportsMessageIdSync);
        Assert.True(gateway.Only.PeerSupportsReplayCounterSync);

        var (plainGateway, plain, _) = Establish(messageIdSync: false, replayCounterSync: false);
        using var _pg = plainGateway;
        using var _p = plain;
        Assert.False(plainGateway.Only.PeerSupportsMessageIdSync);
        Assert.False(plainGateway.Only.PeerSupportsReplayCounterSync);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // message-ID sync only: today's window, and the captured packet is accepted once
    public void After_a_failover_the_flow_goes_on_and_a_captured_packet_above_the_mark_is_refused_only_with_the_sync(bool replayCounterSync)
    {
        var (gateway, initiator, established) = Establish(messageIdSync: true, replayCounterSync);
        using var _g = gateway;
        using var _i = initiator;
        var virtualAddress = Assert.Single(established.VirtualAddresses);
        using var flow = new EspFlow(established.Child, virtualAddress, Target, 100, 7, GatewayEsp);
        var (before, _) = GatewayInbound(gateway.Events.OfType<ChildSaEstablished>().Single().Sa, virtualAddress);
        byte[] captured = [];
        for (int i = 1; i <= 20; i++)
        {
            var esp = flow.SealNext().ToArray();
            Assert.Equal(InboundResult.Delivered, Receive(before, esp));
            if (i == 15)
                captured = esp; // an attacker's copy, sent after the last inbound mark was saved
        }
        const ulong mark = 10;

        var t1 = T0.AddMinutes(1);
        var resumed = gateway.Failover(s => s with { Children = s.Children.Select(c => c with { InboundSequenceMark = mark }).ToArray() }, t1);
        var installed = Assert.Single(resumed.Events.OfType<ChildSaEstablished>()).Sa;
        Assert.Equal(mark, installed.InboundSequenceStart);
        var (after, window) = GatewayInbound(installed, virtualAddress);

        var events = gateway.Drive(initiator, InitiatorStep.Nothing, resumed.Send, t1);
        var answered = Assert.Single(events.OfType<SyncRequestAnswered>());
        Assert.Single(gateway.Events.OfType<MessageIdsSynchronized>());
        if (answered.ReplayDelta is { } delta)
            Assert.True(flow.AdvanceOutbound(delta)); // as Tunnel does before the answer leaves
        foreach (var raised in gateway.Events.OfType<InboundReplayFloorRaised>())
            window.RaiseFloor(raised.Floor); // as the child SA actor has EspDataPlane do

        if (replayCounterSync)
        {
            Assert.Equal(Delta, answered.ReplayDelta);
            var raised = Assert.Single(gateway.Events.OfType<InboundReplayFloorRaised>());
            Assert.Equal((installed.InboundSpi, mark + Delta), (raised.InboundSpi, raised.Floor));
            Assert.Equal(20 + Delta, flow.OutboundSequence);
        }
        else
        {
            Assert.Null(answered.ReplayDelta);
            Assert.Empty(gateway.Events.OfType<InboundReplayFloorRaised>());
        }

        Assert.Equal(InboundResult.Delivered, Receive(after, flow.SealNext()));
        Assert.Equal(replayCounterSync ? InboundResult.Replay : InboundResult.Delivered, Receive(after, captured));
        Assert.Equal(InboundResult.Replay, Receive(after, captured)); // and never twice
        // The tunnel carries on: the next exchange uses the synchronized IDs.
        Assert.Contains(gateway.Drive(initiator, initiator.RekeyChild(t1), t1), e => e is ExchangeDone { Exchange: InitiatorExchange.ChildRekey });
    }

    [Fact]
    public void A_retransmitted_sync_request_gets_the_same_answer_and_moves_nothing_twice()
    {
        var (gateway, initiator, _) = Establish(messageIdSync: true, replayCounterSync: true);
        using var _g = gateway;
        using var _i = initiator;
        var resumed = gateway.Failover(s => s, T0.AddMinutes(1));
        var request = Assert.Single(resumed.Send);
        var first = initiator.Receive(request.Message, T0.AddMinutes(1));
        var again = initiator.Receive(request.Message, T0.AddMinutes(1));
        Assert.Single(first.Events.OfType<SyncRequestAnswered>());
        Assert.Empty(again.Events);
        Assert.Equal(first.Send.Select(d => Convert.ToHexString(d.Message)), again.Send.Select(d => Convert.ToHexString(d.Message)));
    }

    [Fact]
    public void A_client_that_announces_nothing_gets_no_sync_request_after_a_failover()
    {
        var (gateway, initiator, _) = Establish(messageIdSync: false, replayCounterSync: false);
        using var _g = gateway;
        using var _i = initiator;
        var resumed = gateway.Failover(s => s, T0.AddMinutes(1));
        Assert.Empty(resumed.Send);
        Assert.Single(resumed.Events.OfType<ChildSaEstablished>());
    }
}
