using System.Security.Cryptography;
using System.Text;

namespace Gateway.Crypto.Eap;

/// <summary>
/// The peer (client) side of EAP-MSCHAPv2 as a pure state machine, for the load generator and tests: answers the
/// Challenge, checks the authenticator response of the Success request (constant time) and answers it, and produces
/// the same MSK as the authenticator. Identity is answered with <see cref="EapIdentity"/>, outside this class.
/// </summary>
public sealed class MsChapV2Peer
{
    private readonly string _userName;
    private readonly MsChapV2Credential _credential;
    private readonly RandomFill _random;
    private byte[]? _expectedAuthenticatorResponse;
    private byte[]? _pendingMsk;
    private byte[]? _msk;

    /// <summary>The conversation state.</summary>
    public enum State
    {
        WaitingForChallenge,
        ResponseSent,
        SuccessAcknowledged,
        FailureAcknowledged,
        Succeeded,
        Failed,
    }

    /// <param name="userName">The name sent in the Response (may carry "DOMAIN\").</param>
    /// <param name="credential">The password's credential.</param>
    /// <param name="random">Source of the peer challenge; cryptographic RNG by default.</param>
    public MsChapV2Peer(string userName, MsChapV2Credential credential, RandomFill? random = null)
    {
        _userName = userName ?? throw new ArgumentNullException(nameof(userName));
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _random = random ?? RandomNumberGenerator.Fill;
    }

    /// <summary>Where the conversation stands.</summary>
    public State Current { get; private set; } = State.WaitingForChallenge;

    /// <summary>The 64-byte MSK once <see cref="State.Succeeded"/>; otherwise null. A copy.</summary>
    public byte[]? Msk => _msk is null ? null : (byte[])_msk.Clone();

    /// <summary>Feeds the authenticator's next EAP packet (Request, Success or Failure). Never throws for malformed input.</summary>
    public EapStep Process(EapPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (Current is State.Succeeded or State.Failed)
            return new EapStep(null, EapMethodStatus.Ignored, $"conversation already ended ({Current})");

        switch (packet.Code)
        {
            case EapCode.Success:
                if (Current != State.SuccessAcknowledged)
                    return Fail("EAP-Success before the authenticator proved knowledge of the password");
                Current = State.Succeeded;
                _msk = _pendingMsk;
                _pendingMsk = null;
                return new EapStep(null, EapMethodStatus.Succeeded);
            case EapCode.Failure:
                return Fail(Current == State.FailureAcknowledged ? "authentication failed" : "EAP-Failure");
            case EapCode.Response:
                return new EapStep(null, EapMethodStatus.Ignored, "a peer does not take Responses");
        }

        if (packet.Type != EapType.MsChapV2)
            return new EapStep(EapNak.Response(packet.Identifier, EapType.MsChapV2), EapMethodStatus.Continue,
                $"offered {packet.Type}, asked for EAP-MSCHAPv2");
        var parsed = MsChapV2Codec.Parse(packet);
        if (!parsed.IsSuccess)
            return new EapStep(null, EapMethodStatus.Ignored, $"malformed EAP-MSCHAPv2 request: {parsed.Error}");

        return (Current, parsed.Value) switch
        {
            (State.WaitingForChallenge, MsChapV2Challenge c) => Answer(packet.Identifier, c),
            (State.ResponseSent, MsChapV2SuccessRequest s) => CheckSuccess(packet.Identifier, s),
            (State.ResponseSent, MsChapV2FailureRequest) => AcknowledgeFailure(packet.Identifier),
            _ => new EapStep(null, EapMethodStatus.Ignored, $"unexpected {parsed.Value!.OpCode} in state {Current}"),
        };
    }

    private EapStep Answer(byte identifier, MsChapV2Challenge challenge)
    {
        var peerChallenge = new byte[MsChapV2Crypto.ChallengeLength];
        _random(peerChallenge);
        var passwordHash = _credential.NtPasswordHash;
        var ntResponse = MsChapV2Crypto.GenerateNtResponse(challenge.Challenge.Span, peerChallenge, _userName, passwordHash);
        _expectedAuthenticatorResponse = Encoding.ASCII.GetBytes(MsChapV2Crypto.GenerateAuthenticatorResponse(passwordHash,
            ntResponse, peerChallenge, challenge.Challenge.Span, _userName));
        _pendingMsk = MsChapV2Crypto.Msk(passwordHash, ntResponse, isServer: false);
        Current = State.ResponseSent;
        return new EapStep(MsChapV2Codec.Encode(EapCode.Response, identifier,
            new MsChapV2Response(challenge.MsChapV2Id, peerChallenge, ntResponse, 0, _userName)), EapMethodStatus.Continue);
    }

    private EapStep CheckSuccess(byte identifier, MsChapV2SuccessRequest success)
    {
        // "S=<40 hex digits>" then optionally " M=<message>".
        var message = success.Message;
        var received = message.Length >= 42 ? Encoding.ASCII.GetBytes(message[..42].ToUpperInvariant()) : [];
        var valid = received.Length == 42 && (message.Length == 42 || message[42] == ' ')
            && CryptographicOperations.FixedTimeEquals(received, _expectedAuthenticatorResponse);
        if (!valid)
            return Fail("the authenticator response is wrong: the server does not know the password");
        Current = State.SuccessAcknowledged;
        return new EapStep(MsChapV2Codec.Encode(EapCode.Response, identifier, new MsChapV2SuccessResponse()),
            EapMethodStatus.Continue);
    }

    private EapStep AcknowledgeFailure(byte identifier)
    {
        Current = State.FailureAcknowledged;
        ClearKeys();
        return new EapStep(MsChapV2Codec.Encode(EapCode.Response, identifier, new MsChapV2FailureResponse()),
            EapMethodStatus.Continue, "authenticator rejected the credentials");
    }

    private EapStep Fail(string reason)
    {
        Current = State.Failed;
        ClearKeys();
        return new EapStep(null, EapMethodStatus.Failed, reason);
    }

    private void ClearKeys()
    {
        if (_pendingMsk is not null)
            CryptographicOperations.ZeroMemory(_pendingMsk);
        _pendingMsk = null;
    }

    /// <summary>Describes the state without credentials or keys.</summary>
    public override string ToString() => $"MsChapV2Peer({Current}, user={_userName})";
}
