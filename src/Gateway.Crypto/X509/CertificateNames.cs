using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Ike;

namespace Gateway.Crypto.X509;

/// <summary>The names a certificate carries: subjectAltName entries (RFC 5280 §4.2.1.6) and the subject CN.</summary>
public sealed record CertificateNames(
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> EmailAddresses,
    IReadOnlyList<IPAddress> IpAddresses,
    IReadOnlyList<string> CommonNames)
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>Reads the names of a certificate. A malformed SAN extension yields no SAN names (never throws).</summary>
    public static CertificateNames Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var dns = new List<string>();
        var email = new List<string>();
        var ip = new List<IPAddress>();
        var extension = certificate.Extensions[SubjectAltNameOid];
        if (extension is not null)
        {
            try
            {
                ReadGeneralNames(extension.RawData, dns, email, ip);
            }
            catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
            {
                dns.Clear();
                email.Clear();
                ip.Clear();
            }
        }
        return new CertificateNames(dns, email, ip, CommonNamesOf(certificate.SubjectName));
    }

    internal static List<string> CommonNamesOf(X500DistinguishedName name)
    {
        var result = new List<string>();
        try
        {
            foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
            {
                if (rdn.HasMultipleElements)
                    continue;
                if (rdn.GetSingleElementType().Value == CommonNameOid && rdn.GetSingleElementValue() is { } value)
                    result.Add(value);
            }
        }
        catch (CryptographicException)
        {
            // An undecodable subject has no usable CN.
        }
        return result;
    }

    private static void ReadGeneralNames(byte[] der, List<string> dns, List<string> email, List<IPAddress> ip)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var rfc822 = new Asn1Tag(TagClass.ContextSpecific, 1);
        var dnsName = new Asn1Tag(TagClass.ContextSpecific, 2);
        var ipAddress = new Asn1Tag(TagClass.ContextSpecific, 7);
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag == rfc822)
                email.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, rfc822));
            else if (tag == dnsName)
                dns.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, dnsName));
            else if (tag == ipAddress)
            {
                var bytes = names.ReadOctetString(ipAddress);
                // 4 or 16 bytes are addresses; 8 or 32 are name-constraint ranges, not names.
                if (bytes.Length is 4 or 16)
                    ip.Add(new IPAddress(bytes));
            }
            else
                names.ReadEncodedValue();
        }
    }
}

/// <summary>
/// Matches an IKE identity against a certificate (RFC 7296 §3.5 ID types; RFC 4945 §3.1 practice):
/// FQDN → dNSName (case-insensitive, a wildcard only as the whole leftmost label), with a CN fallback only when the
/// certificate has no dNSName; RFC822 → rfc822Name (case-insensitive); IPv4/IPv6 → iPAddress; DER_ASN1_DN → subject.
/// </summary>
public static class CertificateIdentity
{
    /// <summary>Matches an IDi/IDr (type and data as in the ID payload). Never throws for malformed data.</summary>
    public static bool Matches(X509Certificate2 certificate, IdType type, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            return type switch
            {
                IdType.Fqdn => MatchesDnsName(certificate, Encoding.ASCII.GetString(data)),
                IdType.Rfc822Address => MatchesEmail(certificate, Encoding.UTF8.GetString(data)),
                IdType.Ipv4Address => data.Length == 4 && MatchesAddress(certificate, new IPAddress(data)),
                IdType.Ipv6Address => data.Length == 16 && MatchesAddress(certificate, new IPAddress(data)),
                IdType.DerAsn1Dn => MatchesDistinguishedName(certificate, data),
                _ => false,
            };
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>A DNS name: dNSName SANs, or the CN when there is no dNSName SAN at all.</summary>
    public static bool MatchesDnsName(X509Certificate2 certificate, string name)
    {
        var names = CertificateNames.Of(certificate);
        if (names.DnsNames.Count > 0)
            return names.DnsNames.Any(pattern => DnsNameMatches(pattern, name));
        return names.CommonNames.Any(cn => DnsNameMatches(cn, name));
    }

    /// <summary>An e-mail address against the rfc822Name SANs.</summary>
    public static bool MatchesEmail(X509Certificate2 certificate, string address) =>
        CertificateNames.Of(certificate).EmailAddresses.Any(e => string.Equals(e, address, StringComparison.OrdinalIgnoreCase));

    /// <summary>An address against the iPAddress SANs (IPv4-mapped IPv6 is not folded: the ID type says which).</summary>
    public static bool MatchesAddress(X509Certificate2 certificate, IPAddress address) =>
        CertificateNames.Of(certificate).IpAddresses.Any(a => a.Equals(address));

    /// <summary>The DER subject: byte equality, or equality of the decoded names (case-insensitive).</summary>
    public static bool MatchesDistinguishedName(X509Certificate2 certificate, ReadOnlySpan<byte> derName)
    {
        var subject = certificate.SubjectName;
        if (subject.RawData.AsSpan().SequenceEqual(derName))
            return true;
        try
        {
            var other = new X500DistinguishedName(derName);
            const X500DistinguishedNameFlags flags = X500DistinguishedNameFlags.UseCommas;
            return string.Equals(subject.Decode(flags), other.Decode(flags), StringComparison.OrdinalIgnoreCase)
                   && subject.Decode(flags).Length > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// DNS name matching: case-insensitive, trailing dot ignored; "*" allowed only as the entire leftmost label, matching
    /// exactly one label, and only with at least two labels after it.
    /// </summary>
    public static bool DnsNameMatches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        pattern = pattern.TrimEnd('.');
        name = name.TrimEnd('.');
        if (pattern.Length == 0 || !IsHostName(name) || !IsHostName(pattern.Replace("*", "w")))
            return false;
        if (!pattern.Contains('*'))
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        if (!pattern.StartsWith("*.", StringComparison.Ordinal) || pattern.IndexOf('*', 1) >= 0)
            return false;
        var suffix = pattern[1..]; // ".example.com"
        if (suffix.Count(c => c == '.') < 2)
            return false; // "*.com" is too broad
        var dot = name.IndexOf('.');
        return dot > 0 && string.Equals(name[dot..], suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Letters, digits, '-', '_' and '.', with no empty label: a CN like "alice@example.com" is not a host name.</summary>
    private static bool IsHostName(string name)
    {
        if (name.Length is 0 or > 253 || name.StartsWith('.') || name.Contains(".."))
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return false;
        }
        return true;
    }
}
