using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gateway.Interop.Tests.Lab;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>
/// The interop scenarios of issue 3 §7, run by real strongSwan 5.9.8 clients against one gateway (the fixture's).
/// Each success checks: the client's virtual IP (logged by the client and present on its TUN device, inside the pool),
/// ping to the server behind the gateway, and a TCP round trip of ≥ 10 MB whose SHA-256 matches on every hop.
/// </summary>
public abstract partial class InteropScenarios
{
    private readonly GatewayLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    protected InteropScenarios(GatewayLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private LabTopology Lab => _fixture.Lab;
    private GatewayUnderTest Gateway => _fixture.Gateway;

    [Fact, Scenario(Order = 1)]
    public Task A_EapMschapV2_WithRsaGatewayCertificate() => RunAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.CharonCmd, "eap", "eap");
        await AssertTunnelCarriesTrafficAsync(c, AddressFamily.InterNetwork);
    });

    [Fact, Scenario(Order = 2)]
    public Task B_ClientCertificate() => RunAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.CharonCmd, "cert", "cert");
        await AssertTunnelCarriesTrafficAsync(c, AddressFamily.InterNetwork);
    });

    [Fact, Scenario(Order = 3)]
    public Task C_PreSharedKey() => RunAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "psk", "psk");
        await AssertTunnelCarriesTrafficAsync(c, AddressFamily.InterNetwork);
    });

    [Fact, Scenario(Order = 4)]
    public Task D_WindowsLikeProposal() => RunAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.CharonCmd, "windows", "eap",
            "--ike", "3des-sha1-modp1024", "--esp", "aes256-sha1");
        string log = c.Log;
        Assert.Matches(@"selected proposal: IKE:3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024", log);
        Assert.Matches(@"selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96", log);
        await AssertTunnelCarriesTrafficAsync(c, AddressFamily.InterNetwork);
    });

    [Fact, Scenario(Order = 5)]
    public Task E_Ipv6OuterAddresses() => RunAsync(async clients =>
    {
        LabClient c = await clients.StartAsync(ClientKind.Swanctl, "ipv6-outer", "eap", "--v6");
        // The IKE SA runs between the IPv6 outer addresses.
        Assert.Matches(@"IKE_SA \S+ established between fd99:0:0:1::2\[[^\]]*\]\.\.\.fd99:0:0:1::1\[", c.Log);
        // Both families inside: the IPv4 tunnel as everywhere, and an IPv6 virtual IP carrying the TCP round trip.
        IPAddress v4 = await AssertVirtualIpAsync(c, AddressFamily.InterNetwork);
        _output.WriteLine($"virtual IPv4 {v4}: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        await AssertTunnelCarriesTrafficAsync(c, AddressFamily.InterNetworkV6);
    });

    [Fact, Scenario(Order = 6)]
    public Task F_WrongPassword_IsRejected_WhileAnotherClientKeepsPassingTraffic() => RunAsync(async clients =>
    {
        LabClient good = await clients.StartAsync(ClientKind.CharonCmd, "good", "eap");
        IPAddress vip = await AssertVirtualIpAsync(good, AddressFamily.InterNetwork);
        _output.WriteLine($"good client before: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");

        // A second charon in the same client namespace: it must keep its hands off the policy routing rule (table 220)
        // that the good client's tunnel depends on, or its exit would cut the good client off (a lab artefact).
        LabClient bad = await clients.StartAsync(ClientKind.CharonCmd, "wrong-password", "eap", wait: false,
            daemonExtra: "routing_table = 0", "--password", "not-" + LabConstants.EapPassword);
        // strongSwan logs either the gateway's notify ("received AUTHENTICATION_FAILED notify error") or, when the
        // gateway's EAP-MSCHAPv2 failure packet ends the method first, its own notify to the gateway
        // ("generating INFORMATIONAL request N [ N(AUTH_FAILED) ]").
        var failed = new Regex(@"received AUTHENTICATION_FAILED notify error|generating INFORMATIONAL request \d+ \[ N\(AUTH_FAILED\) \]");
        bool rejected = await Poll.UntilAsync(() => failed.IsMatch(bad.Log), TimeSpan.FromSeconds(30));
        Assert.True(rejected, "the client with the wrong password did not report AUTHENTICATION_FAILED within 30 s");
        _output.WriteLine($"wrong password: {failed.Match(bad.Log).Value}");
        Assert.DoesNotMatch(@"CHILD_SA \S+ established", bad.Log);
        Assert.DoesNotMatch(@"IKE_SA \S+ established", bad.Log);
        await bad.StopAsync();

        // The gateway still serves the client that was connected all along.
        Assert.True(Gateway.IsRunning, "the gateway is no longer running after the failed authentication");
        _output.WriteLine($"good client after: {await Traffic.PingAsync(Lab, LabConstants.ServerV4)}");
        _output.WriteLine($"good client after: {await Traffic.TcpRoundTripAsync(Lab, LabConstants.ServerV4, vip)}");
    });

    [Fact, Scenario(Order = 99)]
    public async Task Z_GatewayStopsCleanlyOnSigterm()
    {
        Assert.True(Gateway.IsRunning, $"the {Gateway.Name} gateway is not running any more\n{Gateway.LogTail()}");
        GatewayStop stop = await Gateway.StopAsync();
        _output.WriteLine($"{Gateway.Name} gateway: {stop.Description}");
        if (!stop.Clean)
        {
            _fixture.MarkFailed();
            Assert.Fail($"the {Gateway.Name} gateway did not stop cleanly: {stop.Description}\n{Gateway.LogTail()}");
        }
    }

    /// <summary>The client's virtual IP of one family: logged as installed, inside the pool, present on its TUN.</summary>
    private async Task<IPAddress> AssertVirtualIpAsync(LabClient client, AddressFamily family)
    {
        IPAddress? vip = client.LoggedVirtualIps().FirstOrDefault(a => a.AddressFamily == family);
        Assert.True(vip is not null, $"client {client.Name} installed no {family} virtual IP (none logged)");
        Assert.True(LabConstants.InPool(vip), $"virtual IP {vip} is outside the pool");
        var tun = await client.TunAddressesAsync();
        Assert.True(tun.Any(t => t.Address.Equals(vip)),
            $"virtual IP {vip} is not on the client's TUN device; TUN addresses: {string.Join(", ", tun)}");
        _output.WriteLine($"client {client.Name}: virtual IP {vip} on {tun.First(t => t.Address.Equals(vip)).Device}");
        return vip;
    }

    /// <summary>Virtual IP, ping and the ≥ 10 MB TCP round trip to the server, over the given inner family.</summary>
    private async Task AssertTunnelCarriesTrafficAsync(LabClient client, AddressFamily family)
    {
        IPAddress vip = await AssertVirtualIpAsync(client, family);
        string server = family == AddressFamily.InterNetwork ? LabConstants.ServerV4 : LabConstants.ServerV6;
        _output.WriteLine($"ping {server}: {await Traffic.PingAsync(Lab, server)}");
        _output.WriteLine($"tcp {server}: {await Traffic.TcpRoundTripAsync(Lab, server, vip)}");
    }

    /// <summary>
    /// Runs one scenario with its clients; on failure the exception carries the gateway's and the clients' log tails
    /// (and their paths, which are kept).
    /// </summary>
    private async Task RunAsync(Func<ClientSet, Task> scenario)
    {
        await using var clients = new ClientSet(Lab);
        try
        {
            Assert.True(Gateway.IsRunning, $"the {Gateway.Name} gateway is not running\n{Gateway.LogTail()}");
            await scenario(clients);
        }
        catch (Exception e)
        {
            _fixture.MarkFailed();
            string logs = Gateway.LogTail(120) + "\n" + string.Join('\n', clients.All.Select(c => c.LogTail(60)));
            _output.WriteLine(logs);
            throw new LabException($"[{Gateway.Name} gateway] {e.Message}\n\n{logs}", e);
        }
    }

    internal sealed class ClientSet(LabTopology lab) : IAsyncDisposable
    {
        private readonly List<LabClient> _clients = [];
        public IReadOnlyList<LabClient> All => _clients;

        public async Task<LabClient> StartAsync(ClientKind kind, string name, string mode, params string[] options) =>
            await StartAsync(kind, name, mode, wait: true, daemonExtra: null, options);

        public async Task<LabClient> StartAsync(ClientKind kind, string name, string mode, bool wait, string? daemonExtra,
            params string[] options)
        {
            LabClient c = await LabClient.StartAsync(lab, kind, name, mode, wait, daemonExtra, options);
            _clients.Add(c);
            return c;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (LabClient c in _clients)
                await c.DisposeAsync();
        }
    }
}

[TestCaseOrderer(ScenarioOrderer.TypeName, ScenarioOrderer.AssemblyName)]
public sealed class StrongSwanGatewayInteropTests(StrongSwanGatewayFixture fixture, ITestOutputHelper output)
    : InteropScenarios(fixture, output), IClassFixture<StrongSwanGatewayFixture>;

[TestCaseOrderer(ScenarioOrderer.TypeName, ScenarioOrderer.AssemblyName)]
public sealed class OurGatewayInteropTests(OurGatewayFixture fixture, ITestOutputHelper output)
    : InteropScenarios(fixture, output), IClassFixture<OurGatewayFixture>;
