using System.Text.Json;
using Gateway.Interop.Tests.Lab;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>
/// Issue 6: the load generator (src/Gateway.LoadTest), run inside the lab's client namespace, establishes 20 tunnels
/// with the windows profile (IKE 3DES/AES-CBC + MODP1024, ESP AES-CBC/SHA1, EAP-MSCHAPv2, MOBIKE) against the fixture's
/// gateway, checks the gateway's certificate against the lab CA, deletes them again, and reports 20 established,
/// 0 failed in its JSON report. Bounded: 20 tunnels (by default), 60 s.
/// </summary>
public abstract class LoadTestScenarios
{
    // 20 keeps the test short; LOADTEST_LAB_TOTAL / LOADTEST_LAB_CONCURRENCY / LOADTEST_LAB_RATE scale it for a measurement.
    private static readonly int Tunnels = int.TryParse(Environment.GetEnvironmentVariable("LOADTEST_LAB_TOTAL"), out int n) ? n : 20;
    private static readonly string Concurrency = Environment.GetEnvironmentVariable("LOADTEST_LAB_CONCURRENCY") ?? "5";
    private static readonly string Rate = Environment.GetEnvironmentVariable("LOADTEST_LAB_RATE") ?? "10";
    private readonly GatewayLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    protected LoadTestScenarios(GatewayLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task Windows_profile_EAP_load_establishes_every_tunnel()
    {
        var lab = _fixture.Lab;
        string reportDir = lab.NewDir("loadtest-report");
        var environment = new Dictionary<string, string> { ["LOADTEST_PASSWORD"] = LabConstants.EapPassword };
        CommandResult run;
        try
        {
            run = await Shell.RunAsync("ip",
            [
                "netns", "exec", lab.ClientNs, LabEnvironment.DotnetHost, LabEnvironment.LoadTestDll,
                "--target", LabConstants.GatewayOuterV4, "--profile", "windows",
                "--user", LabConstants.EapUser, "--ca", Path.Combine(lab.PkiDir, "ca.pem"), "--remote-id", LabConstants.GatewayId,
                "--total", Tunnels.ToString(System.Globalization.CultureInfo.InvariantCulture), "--concurrency", Concurrency, "--rate", Rate,
                "--duration", "60", "--teardown", "--report-dir", reportDir,
            ], TimeSpan.FromSeconds(120), environment);
        }
        catch
        {
            _fixture.MarkFailed();
            throw;
        }
        _output.WriteLine(run.Describe());
        string json = File.Exists(Path.Combine(reportDir, "report.json")) ? File.ReadAllText(Path.Combine(reportDir, "report.json")) : "";
        _output.WriteLine(json);
        try
        {
            Assert.True(run.Succeeded, $"[{_fixture.Gateway.Name}] load generator: {run.Describe()}");
            using var report = JsonDocument.Parse(json);
            var root = report.RootElement;
            Assert.Equal(Tunnels, root.GetProperty("established").GetInt32());
            Assert.Equal(0, root.GetProperty("failed").GetInt32());
            Assert.Equal(0, root.GetProperty("aborted").GetInt32());
            Assert.Equal(Tunnels, root.GetProperty("closed").GetInt32());
            Assert.True(root.GetProperty("cpu").GetProperty("per_handshake_ms").GetDouble() > 0);
        }
        catch
        {
            _fixture.MarkFailed();
            _output.WriteLine(_fixture.Gateway.LogTail());
            throw;
        }
        finally
        {
            await _fixture.Gateway.StopAsync();
        }
    }
}

public sealed class StrongSwanGatewayLoadTests(StrongSwanGatewayFixture fixture, ITestOutputHelper output)
    : LoadTestScenarios(fixture, output), IClassFixture<StrongSwanGatewayFixture>;

public sealed class OurGatewayLoadTests(OurGatewayFixture fixture, ITestOutputHelper output)
    : LoadTestScenarios(fixture, output), IClassFixture<OurGatewayFixture>;
