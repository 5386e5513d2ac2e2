using Gateway.Ike;

namespace Gateway.Crypto.Auth;

/// <summary>
/// The octets an AUTH payload covers (RFC 7296 §2.15):
/// <c>RealMessage ‖ Nonce(other side) ‖ prf(SK_px, RestOfIDPayload)</c>.
/// For the initiator: its IKE_SA_INIT request, the responder's nonce data, prf(SK_pi, IDi body);
/// for the responder: its IKE_SA_INIT response, the initiator's nonce data, prf(SK_pr, IDr body).
/// </summary>
public static class SignedOctets
{
    /// <summary>Builds the signed octets.</summary>
    /// <param name="prf">The negotiated PRF.</param>
    /// <param name="realMessage">The whole IKE_SA_INIT message this side sent (header included).</param>
    /// <param name="peerNonce">The nonce data (payload body) the other side sent.</param>
    /// <param name="skP">SK_pi (initiator) or SK_pr (responder).</param>
    /// <param name="restOfIdPayload">The ID payload body: ID type, three reserved bytes, identification data.</param>
    public static byte[] Build(PseudorandomFunction prf, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce,
        ReadOnlySpan<byte> skP, ReadOnlySpan<byte> restOfIdPayload)
    {
        var macedId = Prf.Prf.Get(prf).Compute(skP, restOfIdPayload);
        var result = new byte[realMessage.Length + peerNonce.Length + macedId.Length];
        realMessage.CopyTo(result);
        peerNonce.CopyTo(result.AsSpan(realMessage.Length));
        macedId.CopyTo(result.AsSpan(realMessage.Length + peerNonce.Length));
        return result;
    }

    /// <summary>The ID payload body (RestOfIDPayload): type, three zero bytes, data.</summary>
    public static byte[] RestOfIdPayload(IdType type, ReadOnlySpan<byte> data)
    {
        var result = new byte[4 + data.Length];
        result[0] = (byte)type;
        data.CopyTo(result.AsSpan(4));
        return result;
    }
}
