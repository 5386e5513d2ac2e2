using System.Security.Cryptography;
using System.Text;

namespace Gateway.Crypto.Eap;

/// <summary>
/// The authenticator (server) side of EAP-MSCHAPv2 as a pure state machine:
/// <c>Start</c> → Challenge request; peer's Response → verified against the credential lookup → Success request
/// with the authenticator response (or Failure request "E=691 …"); peer's Success response → EAP-Success and the
/// MSK; peer's Failure response → EAP-Failure. No retries, no password change. Not thread-safe: one instance per
/// conversation, driven by one owner.
/// </summary>
public sealed class MsChapV2Authenticator
{
    private readonly Func<string, MsChapV2Credential?> _lookup;
    private readonly string _serverName;
    private readonly RandomFill _random;
    private readonly byte[] _challenge = new byte[MsChapV2Crypto.ChallengeLength];
    private byte _identifier;
    private byte _msChapId;
    private byte[]? _msk;

    /// <summary>The conversation state.</summary>
    public enum State
    {
        Initial,
        ChallengeSent,
        SuccessSent,
        FailureSent,
        Succeeded,
        Failed,
    }

    /// <param name="credentialLookup">User name (as the peer sent it) → credential, or null if unknown.</param>
    /// <param name="serverName">The Name field of the Challenge (informational).</param>
    /// <param name="random">Source of the authenticator challenge; cryptographic RNG by default.</param>
    public MsChapV2Authenticator(Func<string, MsChapV2Credential?> credentialLookup, string serverName = "gateway",
        RandomFill? random = null)
    {
        _lookup = credentialLookup ?? throw new ArgumentNullException(nameof(credentialLookup));
        _serverName = serverName ?? throw new ArgumentNullException(nameof(serverName));
        _random = random ?? RandomNumberGenerator.Fill;
    }

    /// <summary>Where the conversation stands.</summary>
    public State Current { get; private set; } = State.Initial;

    /// <summary>The user name the peer presented (once a Response was received).</summary>
    public string? UserName { get; private set; }

    /// <summary>The 64-byte MSK once <see cref="State.Succeeded"/>; otherwise null. A copy.</summary>
    public byte[]? Msk => _msk is null ? null : (byte[])_msk.Clone();

    /// <summary>Issues the Challenge request with the given EAP identifier.</summary>
    public EapPacket Start(byte eapIdentifier)
    {
        if (Current != State.Initial)
            throw new InvalidOperationException("The conversation has already started.");
        _random(_challenge);
        _identifier = eapIdentifier;
        _msChapId = eapIdentifier;
        Current = State.ChallengeSent;
        return MsChapV2Codec.Encode(EapCode.Request, _identifier,
            new MsChapV2Challenge(_msChapId, _challenge.ToArray(), _serverName));
    }

    /// <summary>Feeds the peer's next EAP Response. Never throws for malformed input.</summary>
    public EapStep Process(EapPacket response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Current is State.Initial or State.Succeeded or State.Failed)
            return new EapStep(null, EapMethodStatus.Ignored, $"no response expected in state {Current}");
        if (response.Code != EapCode.Response)
            return new EapStep(null, EapMethodStatus.Ignored, "not an EAP Response");
        if (response.Identifier != _identifier)
            return new EapStep(null, EapMethodStatus.Ignored, "EAP identifier does not match the outstanding request");

        if (response.Type == EapType.Nak)
            return Fail(response.Identifier, "peer declined EAP-MSCHAPv2 (Nak)");
        var parsed = MsChapV2Codec.Parse(response);
        if (!parsed.IsSuccess)
            return Fail(response.Identifier, $"malformed EAP-MSCHAPv2 response: {parsed.Error}");

        return (Current, parsed.Value) switch
        {
            (State.ChallengeSent, MsChapV2Response r) => Verify(r),
            (State.SuccessSent, MsChapV2SuccessResponse) => Succeed(),
            (State.FailureSent, MsChapV2FailureResponse) => Fail(_identifier, "authentication failed"),
            (_, MsChapV2ChangePassword) => Fail(_identifier, "password change is not supported"),
            _ => Fail(_identifier, $"unexpected {parsed.Value!.OpCode} in state {Current}"),
        };
    }

    private EapStep Verify(MsChapV2Response response)
    {
        UserName = response.Name;
        if (response.MsChapV2Id != _msChapId)
            return SendFailure("MS-CHAPv2-ID does not match the challenge");
        MsChapV2Credential? credential;
        try
        {
            credential = _lookup(response.Name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failing store is the store's problem to report; here it is a failed authentication.
            credential = null;
        }

        // Compute against a dummy hash for unknown users so both paths do the same work.
        var passwordHash = credential?.NtPasswordHash.ToArray() ?? new byte[MsChapV2Crypto.PasswordHashLength];
        try
        {
            var expected = MsChapV2Crypto.GenerateNtResponse(_challenge, response.PeerChallenge.Span, response.Name, passwordHash);
            var match = CryptographicOperations.FixedTimeEquals(expected, response.NtResponse.Span);
            if (credential is null || !match)
                return SendFailure(credential is null ? "unknown user" : "wrong password");

            var authenticatorResponse = MsChapV2Crypto.GenerateAuthenticatorResponse(passwordHash, response.NtResponse.Span,
                response.PeerChallenge.Span, _challenge, response.Name);
            _msk = MsChapV2Crypto.Msk(passwordHash, response.NtResponse.Span, isServer: true);
            _identifier++;
            Current = State.SuccessSent;
            return new EapStep(MsChapV2Codec.Encode(EapCode.Request, _identifier,
                new MsChapV2SuccessRequest(_msChapId, authenticatorResponse + " M=Welcome")), EapMethodStatus.Continue);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordHash);
        }
    }

    private EapStep SendFailure(string reason)
    {
        Span<byte> newChallenge = stackalloc byte[MsChapV2Crypto.ChallengeLength];
        _random(newChallenge);
        var message = new StringBuilder()
            .Append("E=691 R=0 C=").Append(Convert.ToHexString(newChallenge))
            .Append(" V=3 M=Authentication failed").ToString();
        _identifier++;
        Current = State.FailureSent;
        return new EapStep(MsChapV2Codec.Encode(EapCode.Request, _identifier, new MsChapV2FailureRequest(_msChapId, message)),
            EapMethodStatus.Continue, reason);
    }

    private EapStep Succeed()
    {
        Current = State.Succeeded;
        return new EapStep(EapPacket.Success(_identifier), EapMethodStatus.Succeeded);
    }

    private EapStep Fail(byte identifier, string reason)
    {
        Current = State.Failed;
        if (_msk is not null)
        {
            CryptographicOperations.ZeroMemory(_msk);
            _msk = null;
        }
        return new EapStep(EapPacket.Failure(identifier), EapMethodStatus.Failed, reason);
    }

    /// <summary>Describes the state without keys.</summary>
    public override string ToString() => $"MsChapV2Authenticator({Current}, user={UserName ?? "-"})";
}
