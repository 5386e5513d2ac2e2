using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Crypto.X509;

/// <summary>A certificate or key text could not be loaded. The message names what is wrong, never key material.</summary>
public sealed class CertificateLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CertificateLoadException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>PEM loading of what the caller read from files: certificates (leaf, then chain) and private keys.</summary>
public static class PemCertificates
{
    /// <summary>All CERTIFICATE blocks of the text, in order (leaf first by convention). Other blocks are skipped.</summary>
    /// <exception cref="CertificateLoadException">No certificate, or one that does not decode.</exception>
    public static IReadOnlyList<X509Certificate2> LoadCertificates(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var result = new List<X509Certificate2>();
        var remaining = pem.AsMemory();
        var index = 0;
        while (PemEncoding.TryFind(remaining.Span, out var fields))
        {
            var span = remaining.Span;
            if (span[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                index++;
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(span[fields.Base64Data], der, out _))
                    throw new CertificateLoadException($"Certificate #{index} is not valid base64.");
                try
                {
                    result.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (CryptographicException e)
                {
                    throw new CertificateLoadException($"Certificate #{index} does not decode as X.509.", e);
                }
            }
            remaining = remaining[fields.Location.End..];
        }
        if (result.Count == 0)
            throw new CertificateLoadException("No PEM CERTIFICATE block found.");
        return result;
    }

    /// <summary>
    /// A private key from PEM: PKCS#8 "PRIVATE KEY" (RSA or EC), "RSA PRIVATE KEY", "EC PRIVATE KEY", or
    /// "ENCRYPTED PRIVATE KEY" with a password.
    /// </summary>
    /// <exception cref="CertificateLoadException">No usable key in the text.</exception>
    public static AsymmetricAlgorithm LoadPrivateKey(string pem, ReadOnlySpan<char> password = default)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields))
            throw new CertificateLoadException("No PEM block found in the key text.");
        var label = pem.AsSpan()[fields.Label].ToString();
        var encrypted = label == "ENCRYPTED PRIVATE KEY";
        if (encrypted && password.IsEmpty)
            throw new CertificateLoadException("The private key is encrypted and no password was given.");

        if (label is "RSA PRIVATE KEY" or "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
        {
            var rsa = RSA.Create();
            try
            {
                if (encrypted)
                    rsa.ImportFromEncryptedPem(pem, password);
                else
                    rsa.ImportFromPem(pem);
                return rsa;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException && label != "RSA PRIVATE KEY")
            {
                rsa.Dispose();
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                rsa.Dispose();
                throw new CertificateLoadException("The RSA private key does not decode.", e);
            }
        }
        if (label is "EC PRIVATE KEY" or "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
        {
            var ec = ECDsa.Create();
            try
            {
                if (encrypted)
                    ec.ImportFromEncryptedPem(pem, password);
                else
                    ec.ImportFromPem(pem);
                return ec;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                ec.Dispose();
                throw new CertificateLoadException(
                    encrypted ? "The private key does not decrypt with this password, or is neither RSA nor ECDSA."
                        : "The private key is neither a valid RSA nor ECDSA key.", e);
            }
        }
        throw new CertificateLoadException($"PEM block '{label}' is not a private key.");
    }

    /// <summary>The leaf of <paramref name="certificatePem"/> with the private key attached, and the rest as chain.</summary>
    /// <exception cref="CertificateLoadException">Texts do not load, or the key does not belong to the leaf.</exception>
    public static (X509Certificate2 Leaf, IReadOnlyList<X509Certificate2> Chain) LoadWithPrivateKey(string certificatePem,
        string privateKeyPem, ReadOnlySpan<char> password = default)
    {
        var certificates = LoadCertificates(certificatePem);
        using var key = LoadPrivateKey(privateKeyPem, password);
        try
        {
            var leaf = key switch
            {
                RSA rsa => certificates[0].CopyWithPrivateKey(rsa),
                ECDsa ec => certificates[0].CopyWithPrivateKey(ec),
                _ => throw new CertificateLoadException("Unsupported key type."),
            };
            return (leaf, certificates.Skip(1).ToList());
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException)
        {
            throw new CertificateLoadException(
                $"The private key does not belong to the first certificate ({certificates[0].Subject}).", e);
        }
    }
}
