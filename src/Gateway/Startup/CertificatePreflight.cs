using System.Security.Cryptography.X509Certificates;
using Gateway.Crypto.X509;

namespace Gateway.Startup;

/// <summary>The preflight found a certificate that cannot work; the message says what to fix.</summary>
public sealed class PreflightError(string message) : Exception(message);

/// <summary>
/// Checks the gateway certificate by the rules Windows clients apply (<see cref="WindowsServerCertificateCheck"/>:
/// name, EKU, chain, validity, key), before any client fails with error 13801. Errors stop start-up; warnings and
/// hints are reported and start-up goes on.
/// </summary>
public static class CertificatePreflight
{
    /// <param name="chain">Everything else the gateway has: the certificate file's chain and the trusted CAs (roots).</param>
    /// <param name="report">Receives each warning and hint, one line each.</param>
    /// <exception cref="PreflightError">At least one error; the message lists all of them.</exception>
    public static WindowsCertificateReport Run(X509Certificate2 leaf, IEnumerable<X509Certificate2> chain, string identity,
        Action<string> report, DateTimeOffset? now = null)
    {
        WindowsCertificateReport result = WindowsServerCertificateCheck.Check(leaf, chain, identity, now);
        foreach (CertificateFinding finding in result.Findings.Where(f => f.Severity != FindingSeverity.Error))
            report($"certificate preflight: {finding}");
        var errors = result.Errors.ToList();
        if (errors.Count > 0)
            throw new PreflightError("certificate preflight failed: " + string.Join(" | ", errors.Select(e => e.Message)));
        return result;
    }
}
