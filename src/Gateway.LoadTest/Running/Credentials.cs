using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Core.Initiator;
using Gateway.LoadTest.Options;
using Gateway.LoadTest.Profiles;

namespace Gateway.LoadTest.Running;

/// <summary>Turns the options' credential files and values into <see cref="InitiatorCredentials"/>; errors name the option.</summary>
public static class Credentials
{
    public static InitiatorCredentials Load(LoadTestOptions options, LoadProfile profile)
    {
        var method = AuthPlan.MethodFor(profile, options);
        var cas = new List<X509Certificate2>();
        if (options.CaPath is not null)
        {
            var collection = new X509Certificate2Collection();
            try { collection.ImportFromPemFile(options.CaPath); }
            catch (CryptographicException e) { throw new LoadTestException($"--ca: '{options.CaPath}' is not a PEM certificate ({e.Message})"); }
            if (collection.Count == 0)
                throw new LoadTestException($"--ca: '{options.CaPath}' holds no certificate");
            cas.AddRange(collection);
        }
        X509Certificate2? certificate = null;
        if (method == InitiatorAuthMethod.Certificate)
        {
            try
            {
                // Re-imported as PKCS#12 so the key is usable for signing on every platform.
                using var pem = X509Certificate2.CreateFromPemFile(options.CertPath!, options.KeyPath!);
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            catch (CryptographicException e)
            {
                throw new LoadTestException($"--cert/--key: cannot load the certificate and key ({e.Message})");
            }
        }
        return new InitiatorCredentials
        {
            Method = method,
            Identity = options.Identity,
            EapUser = options.User,
            EapPassword = options.Password,
            Psk = options.Psk is null ? null : Encoding.UTF8.GetBytes(options.Psk),
            Certificate = certificate,
            TrustedCas = cas,
            // Every tunnel of the run sees the same gateway certificate: validate its chain once (and again each
            // minute or when it expires), not per handshake; the AUTH signature is still verified every time.
            GatewayCertificates = cas.Count > 0 ? new GatewayCertificateCache(cas) : null,
            GatewayIdentity = options.RemoteIdentity,
        };
    }
}

/// <summary>A problem that ends the run before it starts, with one line for the user (exit code 2).</summary>
public sealed class LoadTestException(string message) : Exception(message);
