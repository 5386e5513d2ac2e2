using System.Net;

namespace Gateway.Esp.Tests;

public class SecurityAssociationTableTests
{
    private static readonly PeerPath NatPath = new(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 4500), UdpEncapsulated: true);
    private static readonly PeerPath RawPath = new(new IPEndPoint(IPAddress.Parse("2001:db8::10"), 0), UdpEncapsulated: false);
    private static readonly InnerAddress V4 = InnerAddress.Parse("10.77.0.5");
    private static readonly InnerAddress V6 = InnerAddress.Parse("fd77::5");

    private static InboundSa Inbound(uint spi, params InnerAddress[] inner) =>
        new(spi, new FakeCipher(spi), new ReplayWindow(), NatPath, inner);

    private static OutboundSa Outbound(uint spi, params InnerAddress[] inner) =>
        new(spi, new FakeCipher(spi), new SequenceCounter(true), NatPath, inner);

    [Fact]
    public void InboundSasAreFoundBySpiAndRemoved()
    {
        var table = new SecurityAssociationTable();
        InboundSa sa = Inbound(0xC0000001, V4, V6);
        Assert.True(table.TryAddInbound(sa));
        Assert.False(table.TryAddInbound(Inbound(0xC0000001, V4)));
        Assert.True(table.TryGetInbound(0xC0000001, out InboundSa? found));
        Assert.Same(sa, found);
        Assert.False(table.TryGetInbound(0xC0000002, out _));
        Assert.Equal(1, table.InboundCount);
        Assert.True(table.RemoveInbound(0xC0000001));
        Assert.False(table.RemoveInbound(0xC0000001));
        Assert.False(table.TryGetInbound(0xC0000001, out _));
    }

    [Fact]
    public void InboundSaAllowsOnlyItsClientsSourceAddresses()
    {
        InboundSa sa = Inbound(0xC0000001, V4, V6);
        Assert.True(sa.AllowsSource(V4));
        Assert.True(sa.AllowsSource(V6));
        Assert.False(sa.AllowsSource(InnerAddress.Parse("10.77.0.6")));
        Assert.Equal(2, sa.InnerAddresses.Length);
    }

    [Fact]
    public void OutboundSasAreFoundByEveryInnerAddressAndBySpi()
    {
        var table = new SecurityAssociationTable();
        OutboundSa sa = Outbound(0xD0000001, V4, V6);
        Assert.True(table.TryAddOutbound(sa));
        Assert.False(table.TryAddOutbound(Outbound(0xD0000001, InnerAddress.Parse("10.77.0.99"))));
        Assert.True(table.TryGetOutbound(V4, out OutboundSa? byV4));
        Assert.True(table.TryGetOutbound(V6, out OutboundSa? byV6));
        Assert.True(table.TryGetOutboundBySpi(0xD0000001, out OutboundSa? bySpi));
        Assert.Same(sa, byV4);
        Assert.Same(sa, byV6);
        Assert.Same(sa, bySpi);
        Assert.False(table.TryGetOutbound(InnerAddress.Parse("10.77.0.99"), out _)); // the refused SA left no route

        Assert.True(table.RemoveOutbound(0xD0000001));
        Assert.False(table.TryGetOutbound(V4, out _));
        Assert.False(table.TryGetOutbound(V6, out _));
        Assert.Equal(0, table.OutboundCount);
    }

    [Fact]
    public void RekeyIsMakeBeforeBreak()
    {
        var table = new SecurityAssociationTable();
        OutboundSa old = Outbound(0xD0000001, V4, V6);
        OutboundSa rekeyed = Outbound(0xD0000002, V4, V6);
        Assert.True(table.TryAddOutbound(old));
        Assert.True(table.TryAddOutbound(rekeyed));
        Assert.True(table.TryGetOutbound(V4, out OutboundSa? current));
        Assert.Same(rekeyed, current);

        Assert.True(table.RemoveOutbound(old.Spi)); // must not take the new SA's routes with it
        Assert.True(table.TryGetOutbound(V4, out current));
        Assert.Same(rekeyed, current);
        Assert.True(table.TryGetOutbound(V6, out current));
        Assert.Same(rekeyed, current);
    }

    [Fact]
    public void UpdatePeerSwapsEndpointAndEncapsulationTogether()
    {
        var table = new SecurityAssociationTable();
        OutboundSa sa = Outbound(0xD0000001, V4);
        Assert.True(table.TryAddOutbound(sa));
        Assert.Same(NatPath, sa.Path);
        Assert.True(table.UpdatePeer(0xD0000001, RawPath));
        Assert.Same(RawPath, sa.Path);
        Assert.False(table.UpdatePeer(0xD0000009, NatPath));
    }

    [Fact]
    public async Task ReadersNeverSeeAHalfUpdatedPeerPath()
    {
        OutboundSa sa = Outbound(0xD0000001, V4);
        using var stop = new CancellationTokenSource();
        long reads = 0;
        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                PeerPath path = sa.Path; // what a sender does: read once, use both fields
                bool consistent = path.UdpEncapsulated
                    ? path.Remote.Port == 4500 && path.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    : path.Remote.Port == 0 && path.Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                Assert.True(consistent);
                Interlocked.Increment(ref reads);
            }
        });
        // Keep swapping until the reader has seen plenty of updates (bounded by time, so a failure cannot hang CI).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (int i = 0; (i < 20_000 || Interlocked.Read(ref reads) < 100_000) && DateTime.UtcNow < deadline; i++)
            sa.UpdatePath(i % 2 == 0 ? RawPath : NatPath);
        stop.Cancel();
        await reader;
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task LookupsStayCorrectWhileOtherSasAreInstalledAndRemoved()
    {
        var table = new SecurityAssociationTable();
        const int stable = 64;
        for (uint i = 0; i < stable; i++)
        {
            Assert.True(table.TryAddInbound(Inbound(0x1000 + i, InnerAddress.FromIPv4([10, 77, 1, (byte)i]))));
            Assert.True(table.TryAddOutbound(Outbound(0x2000 + i, InnerAddress.FromIPv4([10, 77, 1, (byte)i]))));
        }

        using var stop = new CancellationTokenSource();
        int failures = 0;
        long lookups = 0;
        Task[] readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            uint n = (uint)r;
            while (!stop.IsCancellationRequested)
            {
                n++;
                uint i = n % stable;
                if (!table.TryGetInbound(0x1000 + i, out InboundSa? inbound) || inbound.Spi != 0x1000 + i)
                    Interlocked.Increment(ref failures);
                var inner = InnerAddress.FromIPv4([10, 77, 1, (byte)i]);
                if (!table.TryGetOutbound(inner, out OutboundSa? outbound) || outbound.Spi != 0x2000 + i)
                    Interlocked.Increment(ref failures);
                Interlocked.Increment(ref lookups);
            }
        })).ToArray();

        // Churn: other clients come and go, and the stable clients' outbound SAs are rekeyed.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (uint round = 0; (round < 2_000 || Interlocked.Read(ref lookups) < 100_000) && DateTime.UtcNow < deadline; round++)
        {
            uint spi = 0x100000 + round;
            var churnInner = InnerAddress.FromIPv4([10, 77, 2, (byte)round]);
            Assert.True(table.TryAddInbound(Inbound(spi, churnInner)));
            Assert.True(table.TryAddOutbound(Outbound(spi, churnInner)));
            Assert.True(table.RemoveInbound(spi));
            Assert.True(table.RemoveOutbound(spi));
        }
        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.Equal(0, failures);
        Assert.True(lookups > 0);
        Assert.Equal(stable, table.InboundCount);
        Assert.Equal(stable, table.OutboundCount);
    }

    [Fact]
    public void CountersAreReadableByTheControlPlane()
    {
        InboundSa sa = Inbound(0xC0000001, V4);
        sa.Counters.AddPacket(100);
        sa.Counters.AddPacket(50);
        sa.Counters.AddReplayDrop();
        sa.Counters.AddIcvFailure();
        sa.Counters.AddIcvFailure();
        sa.Counters.AddPolicyDrop();
        Assert.Equal(new SaCounterSnapshot(Packets: 2, Bytes: 150, ReplayDrops: 1, IcvFailures: 2, PolicyDrops: 1), sa.Counters.Snapshot());
        Assert.Equal(150, sa.Counters.Bytes);
    }
}
