using System.Text;

namespace Gateway.Ike;

/// <summary>
/// strongSwan-style one-line summary of a message, e.g.
/// <c>IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]</c>.
/// Names follow strongSwan 5.9.8's short names (payload_type_short_names, notify_type_short_names,
/// configuration_attribute_type_short_names, eap_*_short_names) so our parse can be compared with its logs.
/// SK is shown as <c>SK</c> and SKF as <c>EF(n/total)</c>; strongSwan logs a decrypted (or reassembled) message with
/// its inner payloads in place of SK/SKF, which <see cref="Describe(IkeMessage, IReadOnlyList{Payload}?)"/> does when
/// given them. Unknown values print as strongSwan prints them: <c>(N)</c>.
/// </summary>
public static class IkeMessageDescription
{
    public static string Describe(IkeMessage message, IReadOnlyList<Payload>? decryptedInnerPayloads = null)
    {
        var h = message.Header;
        var sb = new StringBuilder(96);
        sb.Append(ExchangeName(h.ExchangeType)).Append(h.IsResponse ? " response " : " request ").Append(h.MessageId).Append(" [");
        foreach (var p in message.Payloads)
        {
            if (p.Type is PayloadType.Encrypted or PayloadType.EncryptedFragment && decryptedInnerPayloads is not null)
            {
                foreach (var inner in decryptedInnerPayloads)
                    AppendPayload(sb, inner);
                continue;
            }
            AppendPayload(sb, p);
        }
        return sb.Append(" ]").ToString();
    }

    private static void AppendPayload(StringBuilder sb, Payload p)
    {
        sb.Append(' ');
        switch (p)
        {
            case NotifyPayload n:
                sb.Append("N(");
                if (n.RawNotifyType == MsNotifyStatus && n.Data.Length == 4)
                    sb.Append("MS_STATUS(").Append(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(n.Data.Span)).Append(')');
                else
                    sb.Append(StrongSwanNames.Notify(n.RawNotifyType));
                sb.Append(')');
                break;
            case EapPayload e:
                sb.Append("EAP/").Append(StrongSwanNames.EapCode(e.Code));
                AppendEapMethod(sb, e);
                break;
            case ConfigurationPayload c:
                sb.Append("CP");
                for (int i = 0; i < c.Attributes.Count; i++)
                {
                    sb.Append(i == 0 ? ConfigurationPrefix(c.ConfigurationType) : " ");
                    sb.Append(StrongSwanNames.ConfigurationAttribute(c.Attributes[i].RawType));
                }
                if (c.Attributes.Count > 0)
                    sb.Append(')');
                break;
            case EncryptedFragmentPayload f:
                sb.Append("EF(").Append(f.FragmentNumber).Append('/').Append(f.TotalFragments).Append(')');
                break;
            case UnknownPayload u:
                sb.Append("UNKN(").Append((byte)u.RawType).Append(')');
                break;
            default:
                sb.Append(StrongSwanNames.Payload(p.Type));
                break;
        }
    }

    /// <summary>strongSwan's private MS_NOTIFY_STATUS, printed with its 32-bit status code.</summary>
    private const ushort MsNotifyStatus = 12345;

    private static void AppendEapMethod(StringBuilder sb, EapPayload e)
    {
        if (e.Message.Length < 5 || e.Code is not (EapPayload.CodeRequest or EapPayload.CodeResponse))
            return;
        var m = e.Message.Span;
        byte type = m[4];
        // Expanded type (RFC 3748 §5.7): 3-byte vendor ID and 4-byte vendor type, shown as "type-vendor".
        if (type == 254 && m.Length >= 12)
        {
            int vendor = (m[5] << 16) | (m[6] << 8) | m[7];
            uint vendorType = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(m[8..]);
            if (vendor != 0)
            {
                sb.Append('/').Append(vendorType).Append('-').Append(vendor);
                return;
            }
            type = (byte)Math.Min(vendorType, 255);
        }
        if (type != 0)
            sb.Append('/').Append(StrongSwanNames.EapType(type));
    }

    private static string ConfigurationPrefix(ConfigurationType t) => t switch
    {
        ConfigurationType.Request => "RQ(",
        ConfigurationType.Reply => "RP(",
        ConfigurationType.Set => "S(",
        ConfigurationType.Ack => "A(",
        _ => "(",
    };

    private static string ExchangeName(ExchangeType t) => t switch
    {
        ExchangeType.IkeSaInit => "IKE_SA_INIT",
        ExchangeType.IkeAuth => "IKE_AUTH",
        ExchangeType.CreateChildSa => "CREATE_CHILD_SA",
        ExchangeType.Informational => "INFORMATIONAL",
        ExchangeType.IkeSessionResume => "IKE_SESSION_RESUME",
        ExchangeType.IkeIntermediate => "IKE_INTERMEDIATE",
        ExchangeType.IkeFollowupKe => "IKE_FOLLOWUP_KE",
        _ => $"({(byte)t})",
    };
}
