using System.Net;
using Gateway.Control;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Tests;

/// <summary>The operator commands: what the gateway answers (ControlCommands) and the control socket around it.</summary>
public sealed class ControlTests
{
    private static readonly DateTime At = new(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc);

    private sealed class FakeSessions : IGatewaySessions
    {
        public List<EstablishedSession> Established { get; } = [];
        public Dictionary<ulong, RedirectOutcome> Outcomes { get; } = [];
        public List<(ulong Session, string Target)> Redirected { get; } = [];

        public Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout) =>
            Task.FromResult<IReadOnlyList<ulong>>(Established.Select(s => s.SessionId).ToList());

        public IReadOnlyList<EstablishedSession> ListEstablished() => Established;

        public void Terminate(ulong sessionId, string reason)
        {
        }

        public Task<RedirectOutcome> RedirectAsync(ulong sessionId, GatewayIdentity gateway, TimeSpan timeout)
        {
            Redirected.Add((sessionId, gateway.ToString()));
            return Task.FromResult(Outcomes.GetValueOrDefault(sessionId, RedirectOutcome.UnknownSession));
        }
    }

    private static EstablishedSession Session(ulong id, string identity, bool redirect = true) =>
        new(id, identity, IPEndPoint.Parse($"192.0.2.{id}:4500"), [IPAddress.Parse($"10.77.0.{id}"), IPAddress.Parse($"fd77::{id}")], redirect, At);

    private static (ControlCommands Commands, FakeSessions Sessions, DrainSwitch Drain) Make()
    {
        var sessions = new FakeSessions();
        sessions.Established.Add(Session(0xa1, "alice"));
        sessions.Established.Add(Session(0xa2, "alice"));
        sessions.Established.Add(Session(0xb1, "bob", redirect: false));
        sessions.Outcomes[0xa1] = RedirectOutcome.Sent;
        sessions.Outcomes[0xa2] = RedirectOutcome.Sent;
        sessions.Outcomes[0xb1] = RedirectOutcome.PeerLacksRedirectSupport;
        var drain = new DrainSwitch(null, null);
        return (new ControlCommands(sessions, drain), sessions, drain);
    }

    [Fact]
    public async Task Sessions_lists_id_identity_outer_address_virtual_IPs_and_redirect_support()
    {
        var (commands, _, _) = Make();
        var r = await commands.HandleAsync(new ControlRequest("sessions"));

        Assert.Equal(ControlExit.Ok, r.Exit);
        string[] lines = r.Output.Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("SESSION", lines[0]);
        Assert.Matches(@"^0000000000a1\s+alice\s+192\.0\.2\.161:4500\s+10\.77\.0\.161,fd77::161\s+yes\s+2026-11-25 10:00:00$", lines[1]);
        Assert.Matches(@"^0000000000b1\s+bob\s+.*\s+no\s+", lines[3]);
    }

    [Fact]
    public async Task Redirect_by_identity_tells_every_session_of_it()
    {
        var (commands, sessions, _) = Make();
        var r = await commands.HandleAsync(new ControlRequest("redirect", Identity: "alice", To: "192.0.2.10"));

        Assert.Equal(ControlExit.Ok, r.Exit);
        Assert.Equal([(0xa1UL, "192.0.2.10"), (0xa2UL, "192.0.2.10")], sessions.Redirected);
        Assert.Contains("session 0000000000a1 (alice from 192.0.2.161:4500): told to move to 192.0.2.10", r.Output);
    }

    [Fact]
    public async Task Redirect_explains_a_client_without_redirect_support_an_unknown_identity_and_an_unknown_session()
    {
        var (commands, _, _) = Make();

        var refused = await commands.HandleAsync(new ControlRequest("redirect", Identity: "bob", To: "vpn2.example.com"));
        Assert.Equal(ControlExit.Refused, refused.Exit);
        Assert.Contains("did not announce REDIRECT_SUPPORTED", refused.Output);

        var nobody = await commands.HandleAsync(new ControlRequest("redirect", Identity: "carol", To: "192.0.2.10"));
        Assert.Equal(ControlExit.NoSuchSession, nobody.Exit);
        Assert.Contains("no established session of identity 'carol'", nobody.Output);

        var unknown = await commands.HandleAsync(new ControlRequest("redirect", Session: "123456789abc", To: "192.0.2.10"));
        Assert.Equal(ControlExit.NoSuchSession, unknown.Exit);
        Assert.Contains("no such session", unknown.Output);
    }

    [Fact]
    public async Task Redirect_all_drains_the_node_and_reports_the_worst_outcome()
    {
        var (commands, sessions, _) = Make();
        var r = await commands.HandleAsync(new ControlRequest("redirect", All: true, To: "192.0.2.10"));

        Assert.Equal(ControlExit.Refused, r.Exit);
        Assert.Equal(3, sessions.Redirected.Count);
        Assert.Equal(3, r.Output.Split('\n').Length);
    }

    [Theory]
    [InlineData(null, "alice", "not an address!")]
    [InlineData(null, "alice", null)]
    [InlineData("zz", null, "192.0.2.10")]
    public async Task Bad_redirect_arguments_are_usage_errors(string? session, string? identity, string? to)
    {
        var (commands, sessions, _) = Make();
        var r = await commands.HandleAsync(new ControlRequest("redirect", session, identity, To: to));
        Assert.Equal(ControlExit.Usage, r.Exit);
        Assert.Empty(sessions.Redirected);
    }

    [Fact]
    public async Task Drain_and_undrain_switch_the_IKE_SA_INIT_redirect_at_run_time()
    {
        var (commands, _, drain) = Make();
        var client = IPEndPoint.Parse("203.0.113.5:500");
        Assert.Null(drain.Choose(client));

        var on = await commands.HandleAsync(new ControlRequest("drain", To: "192.0.2.10"));
        Assert.Equal(ControlExit.Ok, on.Exit);
        Assert.Equal("192.0.2.10", drain.Choose(client)?.ToString());
        Assert.Contains("draining to 192.0.2.10", (await commands.HandleAsync(new ControlRequest("status"))).Output);

        var off = await commands.HandleAsync(new ControlRequest("undrain"));
        Assert.Equal(ControlExit.Ok, off.Exit);
        Assert.Null(drain.Choose(client));
        Assert.StartsWith("not draining; 3 established sessions", (await commands.HandleAsync(new ControlRequest("status"))).Output);
    }

    [Fact]
    public void Undrain_falls_back_to_the_configured_source_policy()
    {
        var vpn2 = GatewayIdentity.FromFqdn("vpn2.example.com");
        var drain = new DrainSwitch(GatewayIdentity.FromAddress(IPAddress.Parse("192.0.2.10")),
            RedirectPolicies.From(IPNetwork.Parse("198.51.100.0/24"), vpn2));
        Assert.Equal("192.0.2.10", drain.Choose(IPEndPoint.Parse("203.0.113.5:500"))?.ToString());
        drain.Undrain();
        Assert.Null(drain.Choose(IPEndPoint.Parse("203.0.113.5:500")));
        Assert.Equal("vpn2.example.com", drain.Choose(IPEndPoint.Parse("198.51.100.7:500"))?.ToString());
    }

    [Fact]
    public async Task The_control_socket_is_owner_only_answers_commands_and_is_gone_after_stop()
    {
        using var dir = new TempDirectory();
        var (commands, _, _) = Make();
        string path = ControlServer.SocketPath(dir.Path);

        using (var server = ControlServer.Start(path, commands))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = await ControlClient.RunAsync(["sessions", "--data-dir", dir.Path], _ => null, output, error);
            Assert.Equal(ControlExit.Ok, exit);
            Assert.Contains("alice", output.ToString());

            exit = await ControlClient.RunAsync(["redirect", "--identity", "carol", "--to", "192.0.2.10", "--socket", path], _ => null, output, error);
            Assert.Equal(ControlExit.NoSuchSession, exit);
            Assert.Contains("carol", error.ToString());

            // A second gateway on the same data directory must not take the socket over.
            Assert.Throws<InvalidOperationException>(() => ControlServer.Start(path, commands));
        }

        Assert.False(File.Exists(path));
        var gone = await ControlClient.SendAsync(path, new ControlRequest("status"));
        Assert.Equal(ControlExit.NotRunning, gone.Exit);
        Assert.Contains("not running", gone.Output);
    }

    [Fact]
    public async Task A_stale_socket_left_by_a_crash_is_reported_as_not_running_and_replaced_at_start()
    {
        using var dir = new TempDirectory();
        string path = ControlServer.SocketPath(dir.Path);
        using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path)); // bound, never listening, then closed

        Assert.Equal(ControlExit.NotRunning, (await ControlClient.SendAsync(path, new ControlRequest("status"))).Exit);
        using var server = ControlServer.Start(path, Make().Commands);
        Assert.Equal(ControlExit.Ok, (await ControlClient.SendAsync(path, new ControlRequest("status"))).Exit);
    }

    [Fact]
    public void A_data_directory_too_long_for_a_socket_address_is_named_at_start()
    {
        var (commands, _, _) = Make();
        string path = ControlServer.SocketPath("/" + new string('d', 120));
        var e = Assert.Throws<Gateway.Configuration.ConfigurationError>(() => ControlServer.Start(path, commands));
        Assert.Contains("gateway.data-dir", e.Message);
    }

    [Theory]
    [InlineData("redirect --to 192.0.2.10", "exactly one of")]
    [InlineData("redirect --all --identity alice --to 192.0.2.10", "exactly one of")]
    [InlineData("redirect --all", "needs --to")]
    [InlineData("drain", "needs --to")]
    [InlineData("undrain --to 192.0.2.10", "unknown option")]
    [InlineData("sessions --session", "unknown option")]
    public void Command_line_mistakes_are_named(string line, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ControlCommandLine.Parse(line.Split(' ')));
        Assert.Contains(message, e.Message);
    }
}
