using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Lab;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>
/// Issue 4 §7: real strongSwan clients whose path changes under a running TCP transfer (MOBIKE moves, NAT rebinding),
/// rekeys under traffic, IKE fragmentation of a long certificate chain over a small MTU, a client that goes silent and
/// comes back from a new address. The client paths come from ops/lab/paths.sh; every scenario puts the client back on
/// the direct path afterwards (also when it fails).
/// </summary>
public abstract partial class InteropScenarios
{
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(20);

    // About 10 s of upload when the tunnel keeps up (192 chunks of 64 KiB, 50 ms apart): long enough for two moves or
    // two rekeys to happen while it runs.
    private const int PacedBytes = 12 * 1024 * 1024 + 777;

    [Fact, Scenario(Order = 10)]
    public Task G_Mobike_ClientMovesToAnotherNetworkThenToIpv6_DuringTransfer() => RunOnPathsAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "mobile", "eap");
        int establishedBefore = Gateway.IkeSasEstablished();
        IPAddress vip = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        var vipsBefore = c.LoggedVirtualIps();
        await c.WaitForSasAsync(@"local\s+'[^']*' @ 10\.99\.1\.2\[", TimeSpan.FromSeconds(5), "the IKE SA on the direct path");

        PacedUpload upload = await PacedUpload.StartAsync(Lab, LabConstants.ServerV4, PacedBytes);
        await upload.WaitForAsync(PacedBytes / 6, TimeSpan.FromSeconds(30));

        // 1: to a second interface and IPv4 subnet; the old address goes away.
        await LabPaths.UseAsync(Lab, ClientPath.Second4);
        await c.WaitForSasAsync($@"local\s+'[^']*' @ {Regex.Escape(LabPaths.Client2V4)}\[", MoveTimeout, "the move to " + LabPaths.Client2V4);
        upload.AssertStillRunning("the move to the second IPv4 network");
        long atMove1 = upload.Received;
        _output.WriteLine($"moved to {LabPaths.Client2V4}: {upload.Describe()}");
        await upload.WaitForAsync(atMove1 + PacedBytes / 6, MoveTimeout); // the transfer goes on over the new path

        // 2: IPv4 → IPv6 outer addresses (the gateway's IPv6 address came with MOBIKE's ADDITIONAL_IP6_ADDRESS).
        await LabPaths.UseAsync(Lab, ClientPath.Second6);
        string sas = await c.WaitForSasAsync($@"local\s+'[^']*' @ {Regex.Escape(LabPaths.Client2V6)}\[", MoveTimeout,
            "the move to " + LabPaths.Client2V6);
        upload.AssertStillRunning("the move to IPv6");
        Assert.Matches($@"remote\s+'{Regex.Escape(LabConstants.GatewayId)}' @ {Regex.Escape(LabConstants.GatewayOuterV6)}\[", sas);
        _output.WriteLine($"moved to {LabPaths.Client2V6}: {upload.Describe()}");

        _output.WriteLine(await upload.CompleteAsync(vip, TimeSpan.FromSeconds(90)));
        _output.WriteLine($"after the moves: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        await AssertSameSessionAsync(c, vip, vipsBefore, establishedBefore);
    });

    [Fact, Scenario(Order = 11)]
    public Task H_Nat_MappingChangesDuringTransfer() => RunOnPathsAsync(async clients =>
    {
        await LabPaths.UseAsync(Lab, ClientPath.Nat);
        // DPD every 2 s: strongSwan's MOBIKE client puts NAT-D into its DPDs and notices a changed mapping by the
        // gateway's answer; the first answer is its reference, so wait for one before the mapping changes.
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "natted", "eap", "--dpd", "2");
        int establishedBefore = Gateway.IkeSasEstablished();
        IPAddress vip = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        var vipsBefore = c.LoggedVirtualIps();
        await c.WaitForLogAsync(@"parsed INFORMATIONAL response \d+ \[ N\(NATD_S_IP\) N\(NATD_D_IP\) \]", TimeSpan.FromSeconds(15),
            "a DPD answered with NAT detection");

        PacedUpload upload = await PacedUpload.StartAsync(Lab, LabConstants.ServerV4, PacedBytes);
        await upload.WaitForAsync(PacedBytes / 5, TimeSpan.FromSeconds(30));
        await LabPaths.NatRemapAsync(Lab);
        await c.WaitForLogAsync("detected changes in NAT mappings", MoveTimeout, "the client noticing the new NAT mapping");
        upload.AssertStillRunning("the NAT rebinding");
        long atRemap = upload.Received;
        _output.WriteLine($"NAT mapping changed: {upload.Describe()}");
        await upload.WaitForAsync(atRemap + PacedBytes / 10, MoveTimeout);
        _output.WriteLine(await upload.CompleteAsync(vip, TimeSpan.FromSeconds(90)));
        _output.WriteLine($"after the rebinding: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        await AssertSameSessionAsync(c, vip, vipsBefore, establishedBefore);
    });

    [Fact, Scenario(Order = 12)]
    public Task I_ChildAndIkeRekeys_DuringTransfer() => RunOnPathsAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "rekey", "eap");
        IPAddress vip = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        string before = await c.ListSasAsync();
        string ikeId = IkeUniqueId(before), childId = ChildUniqueId(before);

        PacedUpload upload = await PacedUpload.StartAsync(Lab, LabConstants.ServerV4, PacedBytes);
        await upload.WaitForAsync(PacedBytes / 6, TimeSpan.FromSeconds(30));
        await c.SwanctlAsync("--rekey", "--child", "lab");
        string afterChild = await WaitForAsync(c, s => ChildUniqueId(s) != childId && ChildCount(s) == 1, "the child SA rekey");
        upload.AssertStillRunning("the child SA rekey");
        _output.WriteLine($"child SA #{childId} → #{ChildUniqueId(afterChild)}: {upload.Describe()}");
        await upload.WaitForAsync(upload.Received + PacedBytes / 10, MoveTimeout);

        await c.SwanctlAsync("--rekey", "--ike", "lab");
        string afterIke = await WaitForAsync(c, s => IkeUniqueId(s) != ikeId && ChildCount(s) == 1, "the IKE SA rekey");
        upload.AssertStillRunning("the IKE SA rekey");
        _output.WriteLine($"IKE SA #{ikeId} → #{IkeUniqueId(afterIke)}: {upload.Describe()}");

        _output.WriteLine(await upload.CompleteAsync(vip, TimeSpan.FromSeconds(90)));
        // The new SAs carry traffic on their own (the old ones are gone).
        _output.WriteLine($"after the rekeys: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        Assert.Single(c.InitiatedIkeSas());
    });

    [Fact, Scenario(Order = 13)]
    public Task J_Fragmentation_LongCertificateChainOverSmallMtu() => RunOnPathsAsync(async clients =>
    {
        string chain = await LabPaths.CertificateChainAsync(Lab);
        await LabPaths.SmallMtuAsync(Lab, on: true);
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "chain", "cert",
            "--cert-dir", chain, "--id", "chain-client.lab.example", "--fragment-size", "1200");
        string log = c.Log;
        // The client's IKE_AUTH (three RSA-4096 certificates) went out in fragments, and the gateway's answer came back
        // in fragments too (IP fragments are dropped on this link).
        Match split = Regex.Match(log, @"splitting IKE message \((\d+) bytes\) into (\d+) fragments");
        Assert.True(split.Success, "the client did not fragment its IKE_AUTH request");
        Assert.Matches(@"sending issuer cert .*Intermediate CA 1", log);
        Match joined = Regex.Match(log, @"received fragment #\d+ of (\d+), reassembled fragmented IKE message \((\d+) bytes\)");
        Assert.True(joined.Success, "the gateway's IKE_AUTH answer did not arrive in IKE fragments");
        _output.WriteLine($"client → gateway: {split.Groups[1].Value} bytes in {split.Groups[2].Value} fragments; " +
                          $"gateway → client: {joined.Groups[2].Value} bytes in {joined.Groups[1].Value} fragments");
        Assert.Matches(@"IKE_SA lab\[\d+\] established between [^\[]+\[chain-client\.lab\.example\]", log);
        IPAddress vip = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        // Small packets only: ESP of full-size inner packets would need IP fragments on this link.
        _output.WriteLine($"virtual IP {vip}: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
    });

    [Fact, Scenario(Order = 14)]
    public Task K_SilentClient_BecomesDormant_ReturnsFromNewAddress() => RunOnPathsAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "silent", "eap");
        int establishedBefore = Gateway.IkeSasEstablished();
        IPAddress vip = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        var vipsBefore = c.LoggedVirtualIps();
        _output.WriteLine($"before: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");

        int noticed = Gateway.SilenceNoticedCount();
        await LabPaths.BlockAsync(Lab);
        bool dormant = await Gateway.WaitForSilenceNoticedAsync(noticed, TimeSpan.FromSeconds(40));
        Assert.True(dormant, $"the {Gateway.Name} gateway did not notice the silent client within 40 s");
        _output.WriteLine($"{Gateway.Name} gateway noticed the silence");

        // Back from a new address (another network), well within the grace period.
        await LabPaths.UseAsync(Lab, ClientPath.Second4);
        await LabPaths.UnblockAsync(Lab);
        await c.WaitForSasAsync($@"local\s+'[^']*' @ {Regex.Escape(LabPaths.Client2V4)}\[", MoveTimeout, "the return from " + LabPaths.Client2V4);
        _output.WriteLine($"back: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        _output.WriteLine($"back: {await Traffic.TcpRoundTripAsync(Lab, LabConstants.ServerV4, vip)}");
        await AssertSameSessionAsync(c, vip, vipsBefore, establishedBefore);
    });

    [Fact, Scenario(Order = 15)]
    public Task L_SaInitFloodFromSpoofedSources_WhileRealClientsConnect() => RunOnPathsAsync(async clients =>
    {
        // 200 made-up sources × 5 IKE_SA_INITs over ~5 s; cookies are demanded from 5 half-open SAs on (lab config).
        Task<FloodResult> flood = SaInitFlood.RunAsync(Lab, IPAddress.Parse(LabConstants.GatewayOuterV4), sources: 200,
            perSource: 5, duration: TimeSpan.FromSeconds(5));
        LabClient during = await clients.StartAsync(ClientKind.CharonCmd, "during-flood", "eap");
        bool floodStillRunning = !flood.IsCompleted;
        await AssertVirtualIpAsync(during, AddressFamily.InterNetwork);
        _output.WriteLine($"client connected during the flood (flood still running: {floodStillRunning}); its IKE_SA_INIT " +
                          (Regex.IsMatch(during.Log, @"N\(COOKIE\)") ? "had to return a cookie" : "got no cookie"));
        // While the flood runs the gateway (ours or the strongSwan reference, 2 shared cores) may drop an echo now and
        // then; what counts is that the tunnel carries traffic. After the flood a full TCP round trip must succeed (below).
        _output.WriteLine($"during the flood: {await Traffic.PingAsync(Lab, LabConstants.ServerV4, echoes: 5, answeredAtLeast: 3)}");
        FloodResult result = await flood;
        _output.WriteLine(result.ToString());
        Assert.True(floodStillRunning, $"the flood was over before the client was connected: {result}");
        Assert.True(result.CookieAnswers > 0, $"the gateway answered no spoofed IKE_SA_INIT with a cookie: {result}");
        // Stateful answers only until the threshold (plus what was in flight when it was crossed).
        Assert.True(result.FullAnswers <= 40, $"the gateway kept state for too many spoofed sources: {result}");
        Assert.True(Gateway.IsRunning, "the gateway stopped during the flood");

        // Afterwards a new client still connects (its IKE_SA_INIT may still need a cookie while the flood's half-open
        // SAs have not expired) and carries a full TCP round trip. (One client at a time: two charons in one namespace
        // share the routing rule to table 220.)
        await during.StopAsync();
        LabClient after = await clients.StartAsync(ClientKind.Swanctl, "after-flood", "psk");
        IPAddress afterVip = await AssertVirtualIpAsync(after, AddressFamily.InterNetwork);
        _output.WriteLine($"after the flood: {await Traffic.TcpRoundTripAsync(Lab, LabConstants.ServerV4, afterVip)}");
    });

    /// <summary>
    /// The client kept its session across whatever happened: one IKE SA started from scratch (no second IKE_SA_INIT),
    /// one IKE_AUTH on the gateway for it, the same virtual IPs (none new logged, the IPv4 one still on its TUN).
    /// </summary>
    private async Task AssertSameSessionAsync(LabClient c, IPAddress vip, IReadOnlyList<IPAddress> vipsBefore, int establishedBefore)
    {
        Assert.True(c.InitiatedIkeSas().Count == 1,
            $"the client started {c.InitiatedIkeSas().Count} IKE SAs (IKE_SA_INIT), expected exactly one");
        Assert.Equal(1, c.IkeSasEstablished());
        Assert.Equal(establishedBefore, Gateway.IkeSasEstablished());
        Assert.Equal(vipsBefore, c.LoggedVirtualIps());
        var tun = await c.TunAddressesAsync();
        Assert.True(tun.Any(t => t.Address.Equals(vip)), $"virtual IP {vip} is no longer on the client's TUN device");
    }

    internal static string IkeUniqueId(string sas) => Regex.Match(sas, @"^lab: #(\d+), ESTABLISHED", RegexOptions.Multiline) is { Success: true } m
        ? m.Groups[1].Value : "";

    internal static string ChildUniqueId(string sas) => Regex.Match(sas, @"lab: #(\d+), reqid \d+, INSTALLED") is { Success: true } m
        ? m.Groups[1].Value : "";

    private static int ChildCount(string sas) => Regex.Matches(sas, @"lab: #\d+, reqid \d+, INSTALLED").Count;

    internal static async Task<string> WaitForAsync(LabClient c, Func<string, bool> condition, string what)
    {
        string last = "";
        bool ok = await Poll.UntilAsync(async () => condition(last = await c.ListSasAsync()), MoveTimeout, TimeSpan.FromMilliseconds(100));
        if (!ok)
            throw new LabException($"{what} did not complete within {MoveTimeout.TotalSeconds:0} s; the client's SAs:\n{last}");
        return last;
    }

    /// <summary>A scenario that changes the client's paths: afterwards the client is back on the direct path.</summary>
    private async Task RunOnPathsAsync(Func<ClientSet, Task> scenario)
    {
        try
        {
            await RunAsync(scenario);
        }
        finally
        {
            await LabPaths.RestoreAsync(Lab);
        }
    }
}
