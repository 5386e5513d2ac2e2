using Gateway.Configuration;
using Gateway.Core.Policy;
using Gateway.Crypto.X509;
using Gateway.Hosting;

namespace Gateway.Startup;

/// <summary>Everything start-up decides before it touches the network: settings, credentials, policy.</summary>
public sealed record PreparedGateway(
    GatewaySettings Settings,
    GatewayPolicy Policy,
    DevelopmentPkiFiles? DevelopmentPki,
    DemoUser? DemoUser,
    WindowsCertificateReport Preflight);

/// <summary>
/// The part of start-up that needs no privileges and is tested in-process: configuration, development PKI and demo
/// user, certificate loading, the certificate preflight, the policy.
/// </summary>
public static class GatewayPreparation
{
    /// <exception cref="ConfigurationError">A bad value (exit code 2).</exception>
    /// <exception cref="PreflightError">The certificate cannot work (exit code 3).</exception>
    public static PreparedGateway Prepare(CommandLine commandLine, Func<string, string?> environment)
    {
        var config = HoconLoader.Load(commandLine.ConfigFile);
        string baseDirectory = commandLine.ConfigFile is { } file
            ? Path.GetDirectoryName(Path.GetFullPath(file))!
            : Directory.GetCurrentDirectory();
        GatewaySettings settings = SettingsReader.Read(config, baseDirectory, commandLine.DataDirectory, environment("GATEWAY_DATA"));
        return Prepare(settings);
    }

    public static PreparedGateway Prepare(GatewaySettings settings)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        DevelopmentPkiFiles? pki = null;
        string certificate, key;
        IReadOnlyList<string> trusted = settings.TrustedCaPaths;
        if (settings.CertificatePath is null)
        {
            pki = DevelopmentData.EnsurePki(settings.DataDirectory, settings.Identity);
            (certificate, key) = (pki.Certificate, pki.PrivateKey);
            if (trusted.Count == 0)
                trusted = [pki.CaCertificate];
            Log.Info($"development PKI {(pki.Created ? "created" : "reused")}: CA certificate {pki.CaCertificate} (clients must trust it), " +
                     $"gateway certificate {pki.Certificate} for identity {settings.Identity}");
        }
        else
        {
            (certificate, key) = (settings.CertificatePath, settings.PrivateKeyPath!);
        }

        LoadedCredentials credentials = PolicyBuilder.LoadCredentials(certificate, key, trusted);
        var preflight = CertificatePreflight.Run(credentials.Leaf, credentials.Chain.Concat(credentials.TrustedCas),
            settings.Identity, Log.Warn);

        var users = new Dictionary<string, string>(settings.EapUsers, StringComparer.Ordinal);
        DemoUser? demo = null;
        if (settings.DemoUser.Length > 0 && !users.ContainsKey(settings.DemoUser))
        {
            demo = DevelopmentData.EnsureDemoUser(settings.DataDirectory, settings.DemoUser);
            users[demo.Name] = demo.Password;
            // The one time a password is printed: the demo user exists so a first-time operator can connect at once.
            Log.Info(demo.Created
                ? $"demo EAP user created: name '{demo.Name}' password '{demo.Password}' (stored in {demo.File}; printed only now)"
                : $"demo EAP user: name '{demo.Name}' (password in {demo.File})");
        }

        return new PreparedGateway(settings, PolicyBuilder.Build(settings, credentials, users), pki, demo, preflight);
    }
}
