using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Lab;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>
/// Two instances of our gateway in the lab's gateway namespace: A (the fixture's gateway) on the usual outer addresses,
/// B on the namespace's second address 10.99.1.3 with its own pool, TUN device and short lifetimes (child SAs rekeyed
/// 8 s after they are made, deleted at 12 s; the IKE SA rekeyed at 14 s; no jitter), so that our own rekeys happen
/// within a scenario.
/// </summary>
public sealed class TwoGatewaysFixture : GatewayLabFixture
{
    public const string PoolBV4 = "10.99.101.0/24";

    private OurGateway? _other;

    /// <summary>Gateway A, where clients dial (the operator commands go to it).</summary>
    public OurGateway First => (OurGateway)Gateway;

    /// <summary>Gateway B, the redirect target.</summary>
    public OurGateway Other => _other ?? throw new InvalidOperationException("gateway B not started");

    // Both instances bind specific addresses: a wildcard bind of A's would take B's port 500 too.
    protected override GatewayUnderTest CreateGateway() => new OurGateway("ours-a", $$"""
        gateway.listen = ["{{LabConstants.GatewayOuterV4}}", "{{LabConstants.GatewayOuterV6}}"]
        """);

    protected override async Task StartMoreAsync(LabTopology lab)
    {
        // Only this fixture's lab gets the second address (the strongSwan gateway would announce it to MOBIKE clients).
        CommandResult address = await lab.ExecAsync(lab.GatewayNs, TimeSpan.FromSeconds(10),
            "ip", "addr", "add", LabConstants.Gateway2OuterV4 + "/24", "dev", "outside");
        if (!address.Succeeded)
            throw new LabException("adding gateway B's address: " + address.Describe());
        _other = new OurGateway("ours-b", $$"""
            gateway {
              listen = ["{{LabConstants.Gateway2OuterV4}}"]
              pools { ipv4 = "{{PoolBV4}}", ipv6 = "fd99:0:0:101::/112" }
              ike.additional-addresses = []
              ike.lifetimes { child = 12s, child-rekey-margin = 4s, ike-rekey = 14s, rekey-jitter = 0 }
              tun.name = "gw1"
              metrics.port = 9478
              cluster.port = 4054
            }
            """);
        await _other.StartAsync(lab);
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_other is not null)
        {
            if (_other.IsRunning)
                await _other.StopAsync();
            await _other.DisposeAsync();
            _other = null;
        }
    }
}

/// <summary>
/// Issue 4 §6 with real strongSwan 5.9.8 clients: (M) redirect at IKE_SA_INIT by a draining gateway (switched on and
/// off at run time with `Gateway drain` / `undrain`); (N) redirect of an established SA by the operator command
/// `Gateway redirect`, with its refusals; (O) child SA and IKE SA rekeys started by our gateway (its lifetimes) under a
/// running TCP transfer. Then both gateways must stop cleanly.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.TypeName, ScenarioOrderer.AssemblyName)]
public sealed class OurGatewayRedirectAndRekeyTests(TwoGatewaysFixture fixture, ITestOutputHelper output)
    : IClassFixture<TwoGatewaysFixture>
{
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(20);
    private static readonly string Gw2 = LabConstants.Gateway2OuterV4;

    private LabTopology Lab => fixture.Lab;
    private OurGateway A => fixture.First;
    private OurGateway B => fixture.Other;

    [Fact, Scenario(Order = 1)]
    public Task M_DrainingGateway_RedirectsNewClientsAtIkeSaInit() => RunAsync(async clients =>
    {
        CommandResult drain = await A.ControlAsync("drain", "--to", Gw2);
        Assert.True(drain.Succeeded, drain.Describe());
        output.WriteLine(drain.StdOut.Trim());
        int establishedAtA = A.IkeSasEstablished();
        try
        {
            // The client dials A (its configured remote address) and ends up at B.
            LabClient c = await clients.StartAsync(ClientKind.Swanctl, "drained", "eap");
            Assert.Matches(@"parsed IKE_SA_INIT response 0 \[ N\(REDIR\) \]", c.Log);
            Assert.Matches(@"generating IKE_SA_INIT request 0 \[[^\]]*N\(REDIR_FROM\)", c.Log);
            string sas = await c.WaitForSasAsync($@"remote\s+'{Regex.Escape(LabConstants.GatewayId)}' @ {Regex.Escape(Gw2)}\[",
                MoveTimeout, "the IKE SA with gateway B");
            output.WriteLine(sas);
            IPAddress vip = await AssertVirtualIpAsync(c, TwoGatewaysFixture.PoolBV4);
            output.WriteLine($"at B: {await Traffic.TcpRoundTripAsync(Lab, LabConstants.ServerV4, vip)}");
            Assert.Equal(establishedAtA, A.IkeSasEstablished());
            Assert.Contains(LabConstants.EapUser, await SessionsAsync(B));
        }
        finally
        {
            CommandResult undrain = await A.ControlAsync("undrain");
            Assert.True(undrain.Succeeded, undrain.Describe());
        }
        CommandResult status = await A.ControlAsync("status");
        Assert.StartsWith("not draining", status.StdOut);
    });

    [Fact, Scenario(Order = 2)]
    public Task N_OperatorRedirect_MovesAnEstablishedClientToTheOtherGateway() => RunAsync(async clients =>
    {
        // The commands' refusals first: a gateway that is not running, an identity without sessions, a client that did
        // not announce REDIRECT_SUPPORTED (strongSwan with follow_redirects = no).
        string empty = Lab.NewDir("no-gateway");
        CommandResult notRunning = await Shell.RunAsync(LabEnvironment.DotnetHost,
            [LabEnvironment.GatewayDll, "sessions", "--data-dir", empty], TimeSpan.FromSeconds(60));
        Assert.Equal(6, notRunning.ExitCode);
        Assert.Contains("not running", notRunning.StdErr);
        CommandResult nobody = await A.ControlAsync("redirect", "--identity", "nobody", "--to", Gw2);
        Assert.Equal(4, nobody.ExitCode);
        Assert.Contains("no established session of identity 'nobody'", nobody.StdErr);

        LabClient legacy = await clients.StartAsync(ClientKind.Swanctl, "no-redirect", "eap", wait: true,
            daemonExtra: "follow_redirects = no");
        Assert.Matches(@"alice\s+10\.99\.1\.2:\d+\s+\S+\s+no\s", await SessionsAsync(A));
        CommandResult refused = await A.ControlAsync("redirect", "--identity", LabConstants.EapUser, "--to", Gw2);
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("did not announce REDIRECT_SUPPORTED", refused.StdErr);
        output.WriteLine(refused.StdErr.Trim());
        await legacy.StopAsync();

        // A client that follows redirects: established at A, told to move to B, carries traffic there.
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "redirected", "eap");
        IPAddress vipAtA = await AssertVirtualIpAsync(c, LabConstants.PoolV4);
        string listed = await SessionsAsync(A);
        output.WriteLine(listed);
        Assert.Matches($@"alice\s+10\.99\.1\.2:\d+\s+{Regex.Escape(vipAtA.ToString())},\S+\s+yes\s", listed);
        output.WriteLine($"at A: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");

        CommandResult redirect = await A.ControlAsync("redirect", "--identity", LabConstants.EapUser, "--to", Gw2);
        Assert.True(redirect.Succeeded, redirect.Describe());
        output.WriteLine(redirect.StdOut.Trim());
        string sas = await c.WaitForSasAsync(
            $@"remote\s+'{Regex.Escape(LabConstants.GatewayId)}' @ {Regex.Escape(Gw2)}\[(.|\n)*INSTALLED", MoveTimeout,
            "the move to gateway B");
        output.WriteLine(sas);
        Assert.Matches(@"parsed INFORMATIONAL request \d+ \[ N\(REDIR\) \]", c.Log);
        Assert.Matches(@"generating IKE_SA_INIT request 0 \[[^\]]*N\(REDIR_FROM\)", c.Log);
        // The client deletes its SA with A once it is established at B (A would delete it after the redirect timeout).
        Assert.True(await Poll.UntilAsync(async () => (await SessionsAsync(A)).StartsWith("no established sessions", StringComparison.Ordinal),
            MoveTimeout, TimeSpan.FromMilliseconds(200)), "the client's session at gateway A did not end");
        IPAddress vipAtB = await AssertVirtualIpAsync(c, TwoGatewaysFixture.PoolBV4);
        output.WriteLine($"at B: {await Traffic.TcpRoundTripAsync(Lab, LabConstants.ServerV4, vipAtB)}");
        Assert.Contains(LabConstants.EapUser, await SessionsAsync(B));
    });

    [Fact, Scenario(Order = 3)]
    public Task O_GatewayStartedChildAndIkeRekeys_DuringTransfer() => RunAsync(async clients =>
    {
        // B rekeys child SAs 8 s after they are made and the IKE SA at 14 s; the upload runs ~20 s or more.
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "gateway-rekeys", "eap", "--host", Gw2);
        IPAddress vip = await AssertVirtualIpAsync(c, TwoGatewaysFixture.PoolBV4);
        string before = await c.ListSasAsync();
        string ikeId = InteropScenarios.IkeUniqueId(before), childId = InteropScenarios.ChildUniqueId(before);
        const int bytes = 12 * 1024 * 1024 + 333;
        PacedUpload upload = await PacedUpload.StartAsync(Lab, LabConstants.ServerV4, bytes, pause: 0.1);

        // The gateway's child rekey: the client answers a CREATE_CHILD_SA request that carries REKEY_SA.
        await c.WaitForLogAsync(@"parsed CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\)", TimeSpan.FromSeconds(30), "the gateway's child SA rekey");
        string afterChild = await InteropScenarios.WaitForAsync(c, s => InteropScenarios.ChildUniqueId(s) is { Length: > 0 } id && id != childId, "the child SA rekey");
        upload.AssertStillRunning("the gateway's child SA rekey");
        output.WriteLine($"child SA #{childId} → #{InteropScenarios.ChildUniqueId(afterChild)} (by the gateway): {upload.Describe()}");

        // The gateway's IKE SA rekey: a CREATE_CHILD_SA request with SA, nonce and KE and no REKEY_SA.
        await c.WaitForLogAsync(@"parsed CREATE_CHILD_SA request \d+ \[ SA No KE \]", TimeSpan.FromSeconds(30), "the gateway's IKE SA rekey");
        string afterIke = await InteropScenarios.WaitForAsync(c, s => InteropScenarios.IkeUniqueId(s) is { Length: > 0 } id && id != ikeId, "the IKE SA rekey");
        upload.AssertStillRunning("the gateway's IKE SA rekey");
        output.WriteLine($"IKE SA #{ikeId} → #{InteropScenarios.IkeUniqueId(afterIke)} (by the gateway): {upload.Describe()}");

        output.WriteLine(await upload.CompleteAsync(vip, TimeSpan.FromSeconds(120)));
        output.WriteLine($"after the rekeys: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        // Our side started them: the client sent no CREATE_CHILD_SA request, and never a second IKE_SA_INIT.
        Assert.DoesNotMatch(@"generating CREATE_CHILD_SA request", c.Log);
        Assert.Single(c.InitiatedIkeSas());
        Assert.Equal(1, c.IkeSasEstablished());
        Assert.Matches(@"IKE SA [0-9a-f]{16}: rekeyed, now [0-9a-f]{16}/[0-9a-f]{16} \(we are original initiator: True\)",
            LabLogs.Read(B.LogPath));
    });

    [Fact, Scenario(Order = 99)]
    public async Task Z_BothGatewaysStopCleanlyOnSigterm()
    {
        foreach (OurGateway gateway in new[] { B, A })
        {
            GatewayStop stop = await gateway.StopAsync();
            output.WriteLine($"{gateway.Name}: {stop.Description}");
            if (!stop.Clean)
            {
                fixture.MarkFailed();
                Assert.Fail($"gateway {gateway.Name} did not stop cleanly: {stop.Description}\n{gateway.LogTail()}");
            }
        }
    }

    private static async Task<string> SessionsAsync(OurGateway gateway)
    {
        CommandResult r = await gateway.ControlAsync("sessions");
        Assert.True(r.Succeeded, r.Describe());
        return r.StdOut;
    }

    /// <summary>The client's IPv4 virtual IP: logged as installed (the last one), inside <paramref name="pool"/>, on its TUN.</summary>
    private async Task<IPAddress> AssertVirtualIpAsync(LabClient client, string pool)
    {
        IPAddress? vip = client.LoggedVirtualIps().LastOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        Assert.True(vip is not null, $"client {client.Name} installed no IPv4 virtual IP");
        Assert.True(IPNetwork.Parse(pool).Contains(vip), $"virtual IP {vip} is outside {pool}");
        IPAddress found = vip;
        Assert.True(await Poll.UntilAsync(async () => (await client.TunAddressesAsync()).Any(t => t.Address.Equals(found)),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), $"virtual IP {vip} is not on the client's TUN device");
        output.WriteLine($"client {client.Name}: virtual IP {vip}");
        return vip;
    }

    /// <summary>One scenario with its clients; a failure carries both gateways' and the clients' log tails.</summary>
    private async Task RunAsync(Func<InteropScenarios.ClientSet, Task> scenario)
    {
        await using var clients = new InteropScenarios.ClientSet(Lab);
        try
        {
            Assert.True(A.IsRunning && B.IsRunning, $"a gateway is not running\n{A.LogTail()}\n{B.LogTail()}");
            await scenario(clients);
        }
        catch (Exception e)
        {
            fixture.MarkFailed();
            string logs = A.LogTail(80) + "\n" + B.LogTail(80) + "\n" + string.Join('\n', clients.All.Select(c => c.LogTail(60)));
            output.WriteLine(logs);
            throw new LabException($"{e.Message}\n\n{logs}", e);
        }
    }
}
