using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Gateway.Esp.Tun;

namespace Gateway.Esp.Tests;

/// <summary>
/// Real TUN devices in the root namespace, each with a unique name and an unused /30 of 10.199.0.0/16, removed at the
/// end. These need root (CAP_NET_ADMIN); CI runs as root, so not being root is a failure, not a skip.
/// </summary>
public class TunDeviceTests
{
    private static void RequireRoot() =>
        Assert.True(Environment.IsPrivilegedProcess,
            "TUN tests need root (CAP_NET_ADMIN to create /dev/net/tun interfaces); run the tests as root, as CI does.");

    private static string UniqueName() => "gwt" + Convert.ToHexString(Guid.NewGuid().ToByteArray()[..5]).ToLowerInvariant();

    /// <summary>A /30 in 10.199.0.0/16 whose third octet appears on no interface or route of this machine.</summary>
    private static (IPAddress Local, IPAddress Peer) UnusedSubnet()
    {
        string inUse = Run("ip", "-o", "addr", "show") + Run("ip", "route", "show", "table", "all");
        foreach (int third in Enumerable.Range(1, 254).OrderBy(_ => Random.Shared.Next()))
        {
            if (inUse.Contains($"10.199.{third}.", StringComparison.Ordinal))
                continue;
            int fourth = 4 * Random.Shared.Next(0, 64);
            return (IPAddress.Parse($"10.199.{third}.{fourth + 1}"), IPAddress.Parse($"10.199.{third}.{fourth + 2}"));
        }
        throw new InvalidOperationException("No unused /30 left in 10.199.0.0/16.");
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public void KernelAnswersAPingWrittenIntoTheTunDevice()
    {
        RequireRoot();
        (IPAddress local, IPAddress peer) = UnusedSubnet();
        string name;
        using (TunDevice tun = TunDevice.Create(UniqueName()))
        {
            name = tun.Name;
            Assert.True(Directory.Exists($"/sys/class/net/{name}"));
            tun.SetMtu(1400);
            tun.AddAddress(local, 30);
            tun.SetUp();
            Assert.Equal("1400", File.ReadAllText($"/sys/class/net/{name}/mtu").Trim());

            // An echo request from the (virtual) peer to the interface's own address: the kernel answers it, and the
            // answer is routed back out of the TUN device, because the peer's /30 is on-link there.
            const ushort id = 0x4757, seq = 1;
            byte[] data = "gateway tun round trip"u8.ToArray();
            byte[] request = Packets.IPv4(peer.ToString(), local.ToString(), 1, Packets.IcmpEcho(8, id, seq, data));
            Assert.True(tun.TryWrite(request));

            var buffer = new byte[2048];
            var deadline = Stopwatch.StartNew();
            byte[]? reply = null;
            while (reply is null && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (!tun.TryRead(buffer, 500, out int length))
                    continue;
                // Skip anything else the kernel sends out of a fresh interface (e.g. IPv6 router solicitations).
                if (!InnerPacket.TryParse(buffer.AsSpan(0, length), out InnerPacketInfo info) || info.Version != 4 || info.Protocol != 1)
                    continue;
                int ihl = (buffer[0] & 0x0F) * 4;
                ReadOnlySpan<byte> icmp = buffer.AsSpan(ihl, info.Length - ihl);
                if (icmp[0] == 0 && BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) == id)
                {
                    Assert.Equal(InnerAddress.FromIPAddress(local), info.Source);
                    Assert.Equal(InnerAddress.FromIPAddress(peer), info.Destination);
                    reply = icmp.ToArray();
                }
            }

            Assert.NotNull(reply);
            Assert.Equal(seq, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6)));
            Assert.Equal(data, reply[8..]);
            Assert.Equal(0, Packets.InternetChecksum(reply)); // a valid checksum sums to zero
        }
        Assert.False(Directory.Exists($"/sys/class/net/{name}"), "Dispose removes the interface.");
    }

    [Fact]
    public async Task DisposeWakesABlockedReader()
    {
        RequireRoot();
        TunDevice tun = TunDevice.Create(UniqueName());
        using var started = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            started.Set();
            var buffer = new byte[2048];
            // The device is down: nothing arrives, so this blocks until Dispose wakes it.
            while (tun.Read(buffer) > 0)
            {
            }
        }) { IsBackground = true };
        reader.Start();
        started.Wait();
        await Task.Delay(200);
        Assert.True(reader.IsAlive, "the reader blocks while nothing arrives");
        tun.Dispose();
        Assert.True(reader.Join(TimeSpan.FromSeconds(10)), "the reader returned after Dispose");
        Assert.False(tun.TryWrite([0x45]));
        Assert.False(tun.TryRead(new byte[64], 0, out _));
    }

    [Fact]
    public void TryReadTimesOutWhenNothingArrives()
    {
        RequireRoot();
        using TunDevice tun = TunDevice.Create(UniqueName());
        Assert.False(tun.TryRead(new byte[2048], 50, out int length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void AKernelPatternNameIsFilledIn()
    {
        RequireRoot();
        using TunDevice tun = TunDevice.Create("gwt%d");
        Assert.Matches("^gwt[0-9]+$", tun.Name);
        Assert.True(Directory.Exists($"/sys/class/net/{tun.Name}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-that-is-too-long")]
    [InlineData("bad name")]
    [InlineData("bad/name")]
    public void InvalidNamesAreRefusedBeforeTouchingTheKernel(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => TunDevice.Create(name));
}
