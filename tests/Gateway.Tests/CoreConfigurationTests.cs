using System.Net;
using Gateway.Configuration;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Tests;

/// <summary>gateway.ike.* and gateway.dos.* → GatewayCoreOptions (hocon/gateway.conf documents each key).</summary>
public class CoreConfigurationTests
{
    private static GatewaySettings Read(string? userConfig, TempDirectory dir) => UserConfig.Read(userConfig, dir);

    private static IPEndPoint Client(string address) => new(IPAddress.Parse(address), 500);

    [Fact]
    public void Embedded_defaults_are_the_cores_defaults_except_the_documented_half_open_limit()
    {
        using var dir = new TempDirectory();
        GatewayCoreOptions core = Read(null, dir).Core;
        GatewayCoreOptions d = GatewayCoreOptions.Default;
        ResponderOptions r = ResponderOptions.Default;

        Assert.Equal(1000, core.HalfOpenLimit);
        Assert.Equal(d.HalfOpenLifetime, core.HalfOpenLifetime);
        Assert.Equal(d.CookieThreshold, core.CookieThreshold);
        Assert.Equal(d.CookieSecretRotation, core.CookieSecretRotation);
        Assert.Equal(d.CookieSecretGrace, core.CookieSecretGrace);
        Assert.Equal(d.SourceRatePerSecond, core.SourceRatePerSecond);
        Assert.Equal(d.SourceRateBurst, core.SourceRateBurst);
        Assert.Equal(d.SourceRateTableSize, core.SourceRateTableSize);
        Assert.Null(core.RedirectPolicy);
        Assert.Equal(d.RedirectTimeout, core.RedirectTimeout);
        Assert.Equal(r.LivenessInterval, core.Responder.LivenessInterval);
        Assert.Equal(r.DormantGracePeriod, core.Responder.DormantGracePeriod);
        Assert.Equal(r.RetransmitIntervals, core.Responder.RetransmitIntervals);
        Assert.Equal(r.FragmentSize, core.Responder.FragmentSize);
        Assert.Equal(r.Mobike, core.Responder.Mobike);
        Assert.Equal(r.ReturnRoutabilityCheck, core.Responder.ReturnRoutabilityCheck);
        Assert.Empty(core.Responder.AdditionalAddresses);
        Assert.Equal(r.Rekey.ChildHardLifetime, core.Responder.Rekey.ChildHardLifetime);
        Assert.Equal(r.Rekey.ChildSoftLifetime, core.Responder.Rekey.ChildSoftLifetime);
        Assert.Equal(r.Rekey.IkeSaLifetime, core.Responder.Rekey.IkeSaLifetime);
        Assert.Equal(r.Rekey.Jitter, core.Responder.Rekey.Jitter);
    }

    [Fact]
    public void Overrides_reach_the_core_options()
    {
        using var dir = new TempDirectory();
        GatewayCoreOptions core = Read("""
            gateway.ike {
              half-open-limit = 2000, half-open-lifetime = 20s, liveness-interval = off, dormant-grace-period = 1h
              retransmit-intervals = [500ms, 1s], fragment-size = 1400, mobike = off, return-routability-check = off
              lifetimes { child = 2h, child-rekey-margin = 10m, ike-rekey = 1d, rekey-jitter = 0 }
            }
            gateway.dos {
              cookie-threshold = 0, cookie-secret-rotation = 1m, cookie-secret-grace = 1m
              source-rate { per-second = off, burst = 5, table-size = 256 }
              redirect { target = "vpn2.example.com", sources = ["198.51.100.0/24", "2001:db8::/32"], timeout = 10s }
            }
            """, dir).Core;

        Assert.Equal(2000, core.HalfOpenLimit);
        Assert.Equal(TimeSpan.FromSeconds(20), core.HalfOpenLifetime);
        Assert.Null(core.Responder.LivenessInterval);
        Assert.Equal(TimeSpan.FromHours(1), core.Responder.DormantGracePeriod);
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)], core.Responder.RetransmitIntervals);
        Assert.Equal(1400, core.Responder.FragmentSize);
        Assert.False(core.Responder.Mobike);
        Assert.False(core.Responder.ReturnRoutabilityCheck);
        Assert.Equal(TimeSpan.FromHours(2), core.Responder.Rekey.ChildHardLifetime);
        Assert.Equal(TimeSpan.FromMinutes(110), core.Responder.Rekey.ChildSoftLifetime);
        Assert.Equal(TimeSpan.FromDays(1), core.Responder.Rekey.IkeSaLifetime);
        Assert.Equal(0, core.Responder.Rekey.Jitter);
        Assert.Equal(0, core.CookieThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), core.CookieSecretRotation);
        Assert.Equal(TimeSpan.FromMinutes(1), core.CookieSecretGrace);
        Assert.Null(core.SourceRatePerSecond);
        Assert.Equal(5, core.SourceRateBurst);
        Assert.Equal(256, core.SourceRateTableSize);
        Assert.Equal(TimeSpan.FromSeconds(10), core.RedirectTimeout);
        var policy = Assert.IsType<Func<IPEndPoint, GatewayIdentity?>>(core.RedirectPolicy);
        Assert.Equal("vpn2.example.com", policy(Client("198.51.100.9"))?.ToString());
        Assert.Equal("vpn2.example.com", policy(Client("::ffff:198.51.100.9"))?.ToString()); // dual-stack socket
        Assert.NotNull(policy(Client("2001:db8::7")));
        Assert.Null(policy(Client("203.0.113.1")));
    }

    [Fact]
    public void Draining_at_start_names_the_drain_target_and_leaves_the_source_policy_empty()
    {
        using var dir = new TempDirectory();
        var settings = Read("gateway.dos.redirect { target = \"192.0.2.10\", drain = on }", dir);

        Assert.Equal(GatewayIdentityType.Ipv4Address, settings.DrainTarget?.Type);
        Assert.Equal("192.0.2.10", settings.DrainTarget?.ToString());
        // The host's DrainSwitch does the draining (switchable at run time); the core option is only the per-source part.
        Assert.Null(settings.Core.RedirectPolicy);
        var drain = new DrainSwitch(settings.DrainTarget, settings.Core.RedirectPolicy);
        Assert.Equal("192.0.2.10", drain.Choose(Client("203.0.113.1"))?.ToString());
    }

    [Fact]
    public void Short_lifetimes_down_to_the_floors_are_accepted()
    {
        using var dir = new TempDirectory();
        var rekey = Read("gateway.ike.lifetimes { child = 10s, child-rekey-margin = 2s, ike-rekey = 10s }", dir).Core.Responder.Rekey;
        Assert.Equal(TimeSpan.FromSeconds(10), rekey.ChildHardLifetime);
        Assert.Equal(TimeSpan.FromSeconds(8), rekey.ChildSoftLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), rekey.IkeSaLifetime);
    }

    [Fact]
    public void Additional_addresses_are_announced_to_MOBIKE_clients()
    {
        using var dir = new TempDirectory();
        GatewayCoreOptions core = Read("gateway.ike.additional-addresses = [\"10.99.1.1\", \"fd99:0:0:1::1\"]", dir).Core;
        Assert.Equal([System.Net.IPAddress.Parse("10.99.1.1"), System.Net.IPAddress.Parse("fd99:0:0:1::1")],
            core.Responder.AdditionalAddresses);
    }

    [Theory]
    [InlineData("gateway.ike.additional-addresses = [\"gw.example\"]", "gateway.ike.additional-addresses", "not an IP")]
    [InlineData("gateway.ike.half-open-lifetime = 0s", "gateway.ike.half-open-lifetime", "out of range")]
    [InlineData("gateway.ike.half-open-lifetime = 30", "gateway.ike.half-open-lifetime", "unit is required")]
    [InlineData("gateway.ike.liveness-interval = 0s", "gateway.ike.liveness-interval", "out of range")]
    [InlineData("gateway.ike.dormant-grace-period = soon", "gateway.ike.dormant-grace-period", "duration")]
    [InlineData("gateway.ike.retransmit-intervals = []", "gateway.ike.retransmit-intervals", "between 1 and 16")]
    [InlineData("gateway.ike.retransmit-intervals = [2s, 0s]", "gateway.ike.retransmit-intervals", "out of range")]
    [InlineData("gateway.ike.fragment-size = 500", "gateway.ike.fragment-size", "out of range")]
    [InlineData("gateway.ike.mobike = maybe", "gateway.ike.mobike", "on/off")]
    [InlineData("gateway.ike.return-routability-check = 2", "gateway.ike.return-routability-check", "on/off")]
    [InlineData("gateway.ike.lifetimes.child = 9s", "gateway.ike.lifetimes.child", "out of range")]
    [InlineData("gateway.ike.lifetimes.child-rekey-margin = 1s", "gateway.ike.lifetimes.child-rekey-margin", "out of range")]
    [InlineData("gateway.ike.lifetimes.ike-rekey = 9s", "gateway.ike.lifetimes.ike-rekey", "out of range")]
    [InlineData("gateway.ike.lifetimes.child-rekey-margin = 70m", "gateway.ike.lifetimes.child-rekey-margin", "less than")]
    [InlineData("gateway.ike.lifetimes.ike-rekey = 0s", "gateway.ike.lifetimes.ike-rekey", "out of range")]
    [InlineData("gateway.ike.lifetimes.rekey-jitter = 0.9", "gateway.ike.lifetimes.rekey-jitter", "out of range")]
    [InlineData("gateway.dos.cookie-threshold = 2000", "gateway.dos.cookie-threshold", "half-open-limit")]
    [InlineData("gateway.dos.cookie-threshold = -1", "gateway.dos.cookie-threshold", "out of range")]
    [InlineData("gateway.dos.cookie-secret-rotation = 1s", "gateway.dos.cookie-secret-rotation", "out of range")]
    [InlineData("gateway.dos.cookie-secret-grace = 10m", "gateway.dos.cookie-secret-grace", "rotation")]
    [InlineData("gateway.dos.source-rate.per-second = 0", "gateway.dos.source-rate.per-second", "out of range")]
    [InlineData("gateway.dos.source-rate.per-second = fast", "gateway.dos.source-rate.per-second", "number")]
    [InlineData("gateway.dos.source-rate.burst = 0", "gateway.dos.source-rate.burst", "out of range")]
    [InlineData("gateway.dos.source-rate.table-size = 0", "gateway.dos.source-rate.table-size", "out of range")]
    [InlineData("gateway.dos.redirect.target = \"not a host!\"", "gateway.dos.redirect.target", "neither an IP address nor a DNS name")]
    [InlineData("gateway.dos.redirect.drain = on", "gateway.dos.redirect.target", "must name a gateway")]
    [InlineData("gateway.dos.redirect.drain = perhaps", "gateway.dos.redirect.drain", "on/off")]
    [InlineData("gateway.dos.redirect { target = \"vpn2.example\", sources = [\"10.0.0.1/8\"] }", "gateway.dos.redirect.sources", "prefix")]
    [InlineData("gateway.dos.redirect.sources = [\"10.0.0.0/8\"]", "gateway.dos.redirect.target", "must name a gateway")]
    [InlineData("gateway.dos.redirect.timeout = 0s", "gateway.dos.redirect.timeout", "out of range")]
    public void A_bad_core_value_names_its_key_in_one_line(string hocon, string key, string mention) =>
        UserConfig.AssertRefusedInOneLine(hocon, key, mention);
}
