using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Crypto.Esp;
using Gateway.DataPlane;
using Gateway.Esp;
using Gateway.LoadTest.Traffic;
using ChildRekeyed = Gateway.Core.Initiator.ChildSaReplaced;

namespace Gateway.LoadTest.Tests;

/// <summary>
/// A tunnel's ESP flow against the gateway's side of the same child SA, both through Gateway.Esp: what the flow seals
/// opens at the gateway as an echo request from the tunnel's virtual address, the gateway's sealed reply is counted,
/// a replayed reply is dropped, and after a rekey both directions use the new SA.
/// </summary>
public sealed class EspFlowTests
{
    private static readonly IPAddress Target = IPAddress.Parse("10.10.0.5");
    private static readonly IPEndPoint GatewayEsp = new(InProcessGateway.Address.Address, 4500);

    /// <summary>The gateway's data-plane view of a child SA, as it installs it.</summary>
    private static SecurityAssociationTable GatewayTable(ChildSaInstallation sa, IPAddress virtualAddress)
    {
        var table = new SecurityAssociationTable();
        var path = new PeerPath(InProcessGateway.Client, true);
        InnerAddress[] client = [InnerAddress.FromIPAddress(virtualAddress)];
        table.TryAddInbound(new InboundSa(sa.InboundSpi, Cipher(sa, sa.InboundEncryptionKey, sa.InboundIntegrityKey),
            new ReplayWindow(extendedSequenceNumbers: sa.ExtendedSequenceNumbers), path, client));
        table.TryAddOutbound(new OutboundSa(sa.OutboundSpi, Cipher(sa, sa.OutboundEncryptionKey, sa.OutboundIntegrityKey),
            new SequenceCounter(sa.ExtendedSequenceNumbers), path, client));
        return table;
    }

    private static EspCipherAdapter Cipher(ChildSaInstallation sa, byte[] encryption, byte[] integrity) =>
        new(EspTransformFactory.Create(sa.Encryption, sa.EncryptionKeyBits, sa.Integrity, encryption, integrity, sa.ExtendedSequenceNumbers));

    /// <summary>Opens at the gateway; returns the inner packet.</summary>
    private static byte[] OpenAtGateway(SecurityAssociationTable table, ReadOnlySpan<byte> esp)
    {
        var inner = new byte[esp.Length];
        Assert.Equal(InboundResult.Delivered, EspInbound.Process(table, esp, inner, out int length, out _));
        return inner[..length];
    }

    /// <summary>The target's echo reply to <paramref name="request"/>, sealed by the gateway.</summary>
    private static byte[] ReplyFromGateway(SecurityAssociationTable table, byte[] request)
    {
        var reply = (byte[])request.Clone();
        request.AsSpan(12, 4).CopyTo(reply.AsSpan(16));
        request.AsSpan(16, 4).CopyTo(reply.AsSpan(12));
        reply[20] = 0; // echo reply
        reply[22] = reply[23] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(22), IcmpEcho.Checksum(reply.AsSpan(20)));
        var esp = new byte[reply.Length + 128];
        Assert.Equal(OutboundResult.Sealed, EspOutbound.Process(table, reply, esp, out int length, out _));
        return esp[..length];
    }

    private static IReadOnlyDictionary<string, long> AfterRetire(EspFlow flow, byte[] esp)
    {
        Assert.False(flow.TryOpen(esp, out _, out _));
        return flow.DropsByReason;
    }

    [Theory]
    [InlineData("windows")]     // AES-CBC + HMAC-SHA1
    [InlineData("strongswan")]  // AES-GCM
    public void Echo_requests_open_at_the_gateway_and_its_replies_are_counted(string profile)
    {
        var (gateway, initiator, established) = EstablishedExchangeTests.Establish(profile);
        using var gatewayLifetime = gateway;
        using var initiatorLifetime = initiator;
        var virtualAddress = Assert.Single(established.VirtualAddresses);
        var table = GatewayTable(gateway.Events.OfType<ChildSaEstablished>().Single().Sa, virtualAddress);
        using var flow = new EspFlow(established.Child, virtualAddress, Target, 300, 7, GatewayEsp);

        var request = OpenAtGateway(table, flow.SealNext());

        Assert.Equal(300, request.Length);
        Assert.True(Gateway.Esp.InnerPacket.TryParse(request, out var info));
        Assert.Equal(InnerAddress.FromIPAddress(virtualAddress), info.Source);
        Assert.Equal(InnerAddress.FromIPAddress(Target), info.Destination);
        Assert.Equal(1, info.Protocol);
        Assert.Equal(0, IcmpEcho.Checksum(request.AsSpan(20))); // a valid ICMP checksum sums to zero
        var reply = ReplyFromGateway(table, request);
        Assert.True(flow.TryOpen(reply, out ushort identifier, out int length));
        Assert.Equal((7, 300), (identifier, length));
        Assert.False(flow.TryOpen(reply, out _, out _)); // the same packet again is a replay
        Assert.Equal(1, flow.Dropped);
        Assert.Equal(1, flow.DropsByReason["Replay"]);
        flow.CountReply(length, onOwnSa: true);
        Assert.Equal((1L, 1L, 0L), (flow.Sent, flow.Received, flow.RepliesOnOtherSas));
    }

    [Fact]
    public void After_a_rekey_both_directions_use_the_new_SA_and_the_old_inbound_half_stays_until_retired()
    {
        var (gateway, initiator, established) = EstablishedExchangeTests.Establish();
        using var gatewayLifetime = gateway;
        using var initiatorLifetime = initiator;
        var virtualAddress = established.VirtualAddresses[0];
        var oldTable = GatewayTable(gateway.Events.OfType<ChildSaEstablished>().Single().Sa, virtualAddress);
        using var flow = new EspFlow(established.Child, virtualAddress, Target, 100, 9, GatewayEsp);
        var lateReply = ReplyFromGateway(oldTable, OpenAtGateway(oldTable, flow.SealNext()));

        // Rekey without the Delete yet: answer the rekey only.
        var rekey = initiator.RekeyChild(DateTime.UtcNow);
        var answer = gateway.Handle(rekey.Send[0], DateTime.UtcNow);
        var rekeyed = Assert.Single(initiator.Receive(answer[0].Message, DateTime.UtcNow).Events.OfType<ChildRekeyed>());
        flow.Install(rekeyed.New);
        var newTable = GatewayTable(gateway.Events.OfType<Gateway.Core.IkeSa.ChildSaRekeyed>().Single().NewSa, virtualAddress);

        var request = flow.SealNext();
        Assert.Equal(rekeyed.New.OutboundSpi, UdpEncapsulation.ReadSpi(request));
        Assert.True(flow.TryOpen(ReplyFromGateway(newTable, OpenAtGateway(newTable, request)), out _, out _));
        Assert.True(flow.TryOpen(lateReply, out _, out _)); // the old SA's reply, still in flight, is accepted
        Assert.Contains(established.Child.InboundSpi, flow.InboundSpis);
        flow.Retire(established.Child.InboundSpi);
        Assert.DoesNotContain(established.Child.InboundSpi, flow.InboundSpis);
        Assert.Equal("UnknownSpi", Assert.Single(AfterRetire(flow, lateReply)).Key);
    }
}
