using System.Security.Cryptography;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// The key material and handshake octets of one IKE SA after IKE_SA_INIT: what SK protection, AUTH and child SA
/// keying need. Owned by the responder; <see cref="Dispose"/> zeroes keys. Never printed.
/// </summary>
internal sealed class IkeSaCrypto : IDisposable
{
    public IkeSaCrypto(PseudorandomFunction prf, IkeSaKeys keys, ISkProtection inbound, ISkProtection outbound,
        byte[] initRequest, byte[] initResponse, byte[] nonceI, byte[] nonceR)
    {
        Prf = prf;
        Keys = keys;
        Inbound = inbound;
        Outbound = outbound;
        InitRequest = initRequest;
        InitResponse = initResponse;
        NonceI = nonceI;
        NonceR = nonceR;
    }

    public PseudorandomFunction Prf { get; }

    /// <summary>The IKE proposal this SA runs (what we offer again when we rekey it); null when not recorded.</summary>
    public Proposal? Selected { get; init; }

    public IkeSaKeys Keys { get; }

    /// <summary>Opens initiator → responder messages (SK_ei, SK_ai).</summary>
    public ISkProtection Inbound { get; }

    /// <summary>Seals responder → initiator messages (SK_er, SK_ar).</summary>
    public ISkProtection Outbound { get; }

    /// <summary>The IKE_SA_INIT request exactly as received (the initiator's AUTH signs it).</summary>
    public byte[] InitRequest { get; private set; }

    /// <summary>The IKE_SA_INIT response exactly as sent (our AUTH signs it).</summary>
    public byte[] InitResponse { get; private set; }

    /// <summary>Ni data.</summary>
    public byte[] NonceI { get; private set; }

    /// <summary>Nr data.</summary>
    public byte[] NonceR { get; private set; }

    /// <summary>The values AUTH covers.</summary>
    public HandshakeOctets Handshake => new(Prf, InitRequest, InitResponse, NonceI, NonceR, Keys.SkPi, Keys.SkPr);

    /// <summary>
    /// Drops the IKE_SA_INIT messages and nonces once the SA is established: AUTH is never computed again on it (as
    /// on a rekeyed or restored SA, which never had them), and the first child SA is keyed by then.
    /// </summary>
    public void ForgetHandshake()
    {
        CryptographicOperations.ZeroMemory(NonceI);
        CryptographicOperations.ZeroMemory(NonceR);
        InitRequest = InitResponse = NonceI = NonceR = [];
    }

    public void Dispose()
    {
        Keys.Dispose();
        Inbound.Dispose();
        Outbound.Dispose();
        CryptographicOperations.ZeroMemory(NonceI);
        CryptographicOperations.ZeroMemory(NonceR);
    }

    public override string ToString() => $"IkeSaCrypto({Prf}; keys redacted)";
}
