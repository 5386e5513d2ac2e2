using Gateway.Crypto.Auth;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// The handshake values AUTH covers (RFC 7296 §2.15). Kept apart from the responder so tests can feed values of a
/// real strongSwan exchange (keys.txt) and check our choice of message, nonce and SK_p per side.
/// </summary>
internal sealed record HandshakeOctets(
    PseudorandomFunction Prf, byte[] InitRequest, byte[] InitResponse, byte[] NonceI, byte[] NonceR, byte[] SkPi, byte[] SkPr)
{
    /// <summary>What the initiator's AUTH covers: its IKE_SA_INIT request ‖ Nr ‖ prf(SK_pi, IDi body).</summary>
    public byte[] ForInitiator(ReadOnlySpan<byte> idiBody) => SignedOctets.Build(Prf, InitRequest, NonceR, SkPi, idiBody);

    /// <summary>What our AUTH covers: our IKE_SA_INIT response ‖ Ni ‖ prf(SK_pr, IDr body).</summary>
    public byte[] ForResponder(ReadOnlySpan<byte> idrBody) => SignedOctets.Build(Prf, InitResponse, NonceI, SkPr, idrBody);

    public override string ToString() => $"HandshakeOctets({Prf}; redacted)";
}
