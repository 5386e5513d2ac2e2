using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>ID payloads ↔ the text used for lookups (PSK secrets, address leases, logs).</summary>
public static class IdentityText
{
    /// <summary>The identity as text: address, name, e-mail, DN in RFC 4514 form, key id as text when printable else hex.</summary>
    public static string Of(IdType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case IdType.Ipv4Address when data.Length == 4:
            case IdType.Ipv6Address when data.Length == 16:
                return new IPAddress(data).ToString();
            case IdType.Fqdn or IdType.Rfc822Address or IdType.KeyId when IsPrintable(data):
                return Encoding.ASCII.GetString(data);
            case IdType.DerAsn1Dn:
                try
                {
                    return new X500DistinguishedName(data.ToArray()).Name;
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    return Convert.ToHexString(data);
                }
            default:
                return Convert.ToHexString(data);
        }
    }

    /// <summary>Our own ID payload for <paramref name="identity"/>: an IP address, an e-mail address or an FQDN.</summary>
    public static IdentificationPayload Payload(string identity, bool initiator)
    {
        if (IPAddress.TryParse(identity, out var address))
            return new IdentificationPayload(initiator,
                address.AddressFamily == AddressFamily.InterNetwork ? IdType.Ipv4Address : IdType.Ipv6Address, address.GetAddressBytes());
        return new IdentificationPayload(initiator, identity.Contains('@') ? IdType.Rfc822Address : IdType.Fqdn,
            Encoding.ASCII.GetBytes(identity));
    }

    /// <summary>Whether an IDi can serve as the EAP identity (a name); addresses, as Windows sends, cannot.</summary>
    public static bool UsableAsEapIdentity(IdType type, ReadOnlySpan<byte> data) =>
        type is IdType.Fqdn or IdType.Rfc822Address or IdType.KeyId && data.Length > 0 && IsPrintable(data);

    private static bool IsPrintable(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b is < 0x20 or > 0x7E)
                return false;
        }
        return true;
    }
}
