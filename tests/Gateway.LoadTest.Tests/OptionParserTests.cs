using Gateway.LoadTest.Options;

namespace Gateway.LoadTest.Tests;

public sealed class OptionParserTests
{
    private static readonly string[] Eap = ["--target", "10.99.1.1", "--user", "alice", "--password", "pw", "--ca", "/etc/hostname"];

    private static ParseResult Parse(params string[] args) => OptionParser.Parse(args, _ => null);

    [Fact]
    public void Defaults_are_bounded_and_the_port_is_500()
    {
        var r = Parse(Eap);
        Assert.Null(r.Error);
        var o = r.Options!;
        Assert.Equal(500, o.Target.Port);
        Assert.Equal("windows", o.Profile);
        Assert.Equal(100, o.Total);
        Assert.Equal(TimeSpan.FromSeconds(60), o.Duration);
    }

    [Fact]
    public void All_values_parse()
    {
        var o = Parse([.. Eap, "--concurrency", "50", "--rate", "12.5", "--total", "20", "--duration", "30", "--source", "10.99.1.2,10.99.1.3",
            "--profile", "apple", "--teardown", "--report-dir", "/tmp/r", "--esp-rate", "10", "--esp-size", "200", "--quiet",
            "--esp-target", "10.99.2.2", "--roam-rate", "0.25", "--rekey-child", "6", "--rekey-ike", "9.5"]).Options!;
        Assert.Equal((50, 12.5, 20, 30.0, 2, "apple", true, "/tmp/r"),
            (o.Concurrency, o.Rate, o.Total, o.Duration.TotalSeconds, o.Sources.Count, o.Profile, o.Teardown, o.ReportDir));
        Assert.Equal((10.0, 200, "10.99.2.2", 0.25, 6.0, 9.5),
            (o.EspRate, o.EspSize, o.EspTarget!.ToString(), o.RoamRate, o.ChildRekeyInterval!.Value.TotalSeconds, o.IkeRekeyInterval!.Value.TotalSeconds));
        Assert.Null(Parse(Eap).Options!.ChildRekeyInterval); // no rekeys unless asked for
        Assert.Equal("[fd99::1]:4500", Parse("--target", "[fd99::1]:4500", "--profile", "psk", "--psk", "k", "--id", "x").Options!.Target.ToString());
        Assert.Equal("10.99.1.0/24", Parse([.. Eap, "--source", "10.99.1.0/24"]).Options!.SourcePrefix.ToString());
    }

    [Fact]
    public void RFC_6311_flags_reach_the_initiator_settings_and_replay_sync_implies_message_ID_sync()
    {
        Assert.Equal((false, false), (Parse(Eap).Options!.MessageIdSync, Parse(Eap).Options!.ReplayCounterSync));
        var mid = Parse([.. Eap, "--mid-sync"]).Options!;
        Assert.Equal((true, false), (mid.MessageIdSync, mid.ReplayCounterSync));
        var replay = Parse([.. Eap, "--replay-sync"]).Options!;
        Assert.Equal((true, true), (replay.MessageIdSync, replay.ReplayCounterSync));
        var settings = Running.LoadRunner.SettingsFor(Profiles.LoadProfile.Find("windows")!,
            new Core.Initiator.InitiatorCredentials { Method = Core.Initiator.InitiatorAuthMethod.Eap }, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), replay);
        Assert.Equal((true, true), (settings.MessageIdSync, settings.ReplayCounterSync));
    }

    [Theory]
    [InlineData("--target: required", "--user", "alice")]
    [InlineData("--target: 'nowhere' is not an address", "--target", "nowhere")]
    [InlineData("--concurrency: '0' is not a whole number", "--target", "10.99.1.1", "--concurrency", "0")]
    [InlineData("--rate: 'fast' is not a number", "--target", "10.99.1.1", "--rate", "fast")]
    [InlineData("--total: '2000000' is not a whole number", "--target", "10.99.1.1", "--total", "2000000")]
    [InlineData("--duration: '7200' is not a number", "--target", "10.99.1.1", "--duration", "7200")]
    [InlineData("--esp-size: '5' is not a whole number", "--target", "10.99.1.1", "--esp-size", "5")]
    [InlineData("--esp-size: '27' is not a whole number from 28", "--target", "10.99.1.1", "--esp-size", "27")]
    [InlineData("--esp-rate: needs --esp-target", "--target", "10.99.1.1", "--esp-rate", "5")]
    [InlineData("--esp-target: 'fd99::2' is not an IPv4 address", "--target", "10.99.1.1", "--esp-target", "fd99::2")]
    [InlineData("--roam-rate: '1.5' is not a number from 0 to 1", "--target", "10.99.1.1", "--roam-rate", "1.5")]
    [InlineData("--rekey-child: '0.1' is not a number from 0.5", "--target", "10.99.1.1", "--rekey-child", "0.1")]
    [InlineData("--rekey-ike: 'soon' is not a number", "--target", "10.99.1.1", "--rekey-ike", "soon")]
    [InlineData("--profile: 'ios' is not one of", "--target", "10.99.1.1", "--profile", "ios")]
    [InlineData("--source: 'x' is not an address", "--target", "10.99.1.1", "--source", "x")]
    [InlineData("--source: fd99::2 is not of the target's address family", "--target", "10.99.1.1", "--source", "fd99::2")]
    [InlineData("--source: '10.99.1.0/99' is not a prefix", "--target", "10.99.1.1", "--source", "10.99.1.0/99")]
    [InlineData("unknown option --bogus", "--target", "10.99.1.1", "--bogus")]
    [InlineData("unexpected argument 'stray'", "--target", "10.99.1.1", "stray")]
    [InlineData("--rate: a value is missing", "--target", "10.99.1.1", "--rate")]
    [InlineData("--total: given twice", "--target", "10.99.1.1", "--total", "1", "--total", "2")]
    [InlineData("--user: required for EAP-MSCHAPv2", "--target", "10.99.1.1")]
    [InlineData("--password: required", "--target", "10.99.1.1", "--user", "alice")]
    [InlineData("--ca: required", "--target", "10.99.1.1", "--user", "alice", "--password", "pw")]
    [InlineData("--ca: file '/no/such/ca.pem' not found", "--target", "10.99.1.1", "--ca", "/no/such/ca.pem")]
    [InlineData("--cert and --key: give both or neither", "--target", "10.99.1.1", "--cert", "/etc/hostname")]
    [InlineData("--cert and --key: required", "--target", "10.99.1.1", "--profile", "cert", "--ca", "/etc/hostname")]
    [InlineData("--psk: required", "--target", "10.99.1.1", "--profile", "psk")]
    [InlineData("--id: required", "--target", "10.99.1.1", "--profile", "psk", "--psk", "secret")]
    public void Each_bad_option_gives_its_own_error(string expected, params string[] args)
    {
        var r = Parse(args);
        Assert.Null(r.Options);
        Assert.StartsWith(expected, r.Error);
    }

    [Fact]
    public void Secrets_can_come_from_the_environment_and_are_not_printed()
    {
        var r = OptionParser.Parse(["--target", "10.99.1.1", "--user", "alice", "--ca", "/etc/hostname"],
            name => name == "LOADTEST_PASSWORD" ? "s3cret" : null);
        Assert.Equal("s3cret", r.Options!.Password);
        Assert.DoesNotContain("s3cret", r.Options.ToString());
    }

    [Fact]
    public void A_roam_storm_needs_a_second_source_address()
    {
        var options = Parse([.. Eap, "--roam-rate", "0.1"]).Options!;
        var credentials = new Gateway.Core.Initiator.InitiatorCredentials { Method = Gateway.Core.Initiator.InitiatorAuthMethod.Eap };
        var e = Assert.Throws<Running.LoadTestException>(() =>
            new Running.LoadRunner(options, Profiles.LoadProfile.Find("windows")!, credentials, [System.Net.IPAddress.Loopback], null));
        Assert.StartsWith("--roam-rate: a roam needs a second source address", e.Message);
    }

    [Fact]
    public void Help_is_not_an_error() => Assert.True(Parse("--help").Help);
}
