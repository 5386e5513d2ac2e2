using Gateway.Configuration;
using Gateway.Crypto.X509;
using Gateway.Hosting;
using Gateway.Startup;

namespace Gateway.Tests;

public class StartupTests
{
    private static PreparedGateway Prepare(TempDirectory dir, string? config = null)
    {
        string? file = config is null ? null : dir.Write("gateway.conf", config);
        return GatewayPreparation.Prepare(new CommandLine(file, Path.Combine(dir.Path, "data"), false), _ => null);
    }

    [Fact]
    public void First_start_generates_the_development_pki_and_demo_user_and_the_second_reuses_them()
    {
        using var dir = new TempDirectory();
        PreparedGateway first = Prepare(dir);
        Assert.NotNull(first.DevelopmentPki);
        Assert.True(first.DevelopmentPki!.Created);
        Assert.True(File.Exists(first.DevelopmentPki.CaCertificate));
        Assert.StartsWith(Path.Combine(dir.Path, "data"), first.DevelopmentPki.CaCertificate);
        Assert.True(first.DemoUser!.Created);
        Assert.Equal(first.DemoUser.Password, first.Policy.EapUsers["demo"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.DevelopmentPki.PrivateKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.DemoUser.File));
        Assert.True(first.Preflight.IsAcceptable);
        Assert.Equal("vpn.example.com", first.Policy.Identity);
        Assert.True(first.Policy.Certificate.HasPrivateKey);
        Assert.Empty(first.Policy.CertificateChain); // the root is not sent
        Assert.Single(first.Policy.TrustedCas);
        string caPem = File.ReadAllText(first.DevelopmentPki.CaCertificate);

        PreparedGateway second = Prepare(dir);
        Assert.False(second.DevelopmentPki!.Created);
        Assert.False(second.DemoUser!.Created);
        Assert.Equal(first.DemoUser.Password, second.DemoUser.Password);
        Assert.Equal(caPem, File.ReadAllText(second.DevelopmentPki.CaCertificate));
        Assert.Equal(first.Policy.Certificate.Thumbprint, second.Policy.Certificate.Thumbprint);
    }

    [Fact]
    public void A_changed_identity_reissues_the_development_certificate()
    {
        using var dir = new TempDirectory();
        PreparedGateway first = Prepare(dir);
        PreparedGateway second = Prepare(dir, "gateway.identity = \"10.99.1.1\"");
        Assert.True(second.DevelopmentPki!.Created);
        Assert.NotEqual(first.Policy.Certificate.Thumbprint, second.Policy.Certificate.Thumbprint);
        Assert.True(second.Preflight.IsAcceptable);
    }

    [Fact]
    public void Configured_users_replace_nothing_and_an_empty_demo_user_disables_it()
    {
        using var dir = new TempDirectory();
        PreparedGateway p = Prepare(dir, "gateway.auth.eap-mschapv2 { demo-user = \"\", users { alice = \"pw-alice\" } }");
        Assert.Null(p.DemoUser);
        Assert.Equal(["alice"], p.Policy.EapUsers.Keys);
        Assert.False(File.Exists(Path.Combine(dir.Path, "data", "demo-user.txt")));
    }

    [Fact]
    public void Preflight_stops_start_up_when_the_certificate_does_not_name_the_identity()
    {
        using var dir = new TempDirectory();
        using IssuedCertificate ca = DevelopmentPki.CreateRootCa();
        using IssuedCertificate wrong = DevelopmentPki.IssueGatewayCertificate(ca, "other.example");
        dir.Write("gw.crt", wrong.CertificatePem + "\n");
        dir.Write("gw.key", wrong.ExportPrivateKeyPem());
        dir.Write("ca.crt", ca.CertificatePem + "\n");
        var error = Assert.Throws<PreflightError>(() => Prepare(dir, """
            gateway { identity = "vpn.example.com", certificate = "gw.crt", private-key = "gw.key", trusted-cas = ["ca.crt"] }
            """));
        Assert.Contains("13801", error.Message);
        Assert.Contains("vpn.example.com", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Preflight_warnings_do_not_stop_start_up()
    {
        using var dir = new TempDirectory();
        using IssuedCertificate ca = DevelopmentPki.CreateRootCa();
        // serverAuth only: no "IP security IKE intermediate" EKU, which Windows only recommends.
        using IssuedCertificate gw = DevelopmentPki.Issue(ca, new CertificateProfile
        {
            Subject = "CN=vpn.example.com",
            DnsNames = ["vpn.example.com"],
            ExtendedKeyUsages = [KeyPurposes.ServerAuthentication],
        });
        dir.Write("gw.crt", gw.CertificatePem + "\n" + ca.CertificatePem + "\n");
        dir.Write("gw.key", gw.ExportPrivateKeyPem());
        PreparedGateway p = Prepare(dir, "gateway { certificate = \"gw.crt\", private-key = \"gw.key\" }");
        Assert.Contains(p.Preflight.Warnings, w => w.Code == "no-ike-intermediate-eku");
        Assert.Null(p.DevelopmentPki);
        Assert.Empty(p.Policy.CertificateChain);
    }

    [Fact]
    public void A_key_that_does_not_load_names_the_private_key_setting()
    {
        using var dir = new TempDirectory();
        using IssuedCertificate ca = DevelopmentPki.CreateRootCa();
        dir.Write("gw.crt", ca.CertificatePem + "\n");
        dir.Write("gw.key", "not a key");
        var error = Assert.Throws<ConfigurationError>(() => Prepare(dir, "gateway { certificate = \"gw.crt\", private-key = \"gw.key\" }"));
        Assert.Equal("gateway.private-key", error.Key);
    }

    [Fact]
    public void Command_line_options_and_environment()
    {
        var c = CommandLine.Parse(["--config", "a.conf", "--data-dir=/d"], _ => null);
        Assert.Equal(("a.conf", "/d"), (c.ConfigFile, c.DataDirectory));
        Assert.Equal("env.conf", CommandLine.Parse([], n => n == "GATEWAY_CONFIG" ? "env.conf" : null).ConfigFile);
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--bogus"], _ => null));
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--config"], _ => null));
        Assert.True(CommandLine.Parse(["--help"], _ => null).Help);
    }
}
