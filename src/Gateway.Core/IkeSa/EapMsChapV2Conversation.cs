using Gateway.Core.Policy;
using Gateway.Crypto.Eap;

namespace Gateway.Core.IkeSa;

/// <summary>One EAP round's answer: the packet to send and where the conversation stands.</summary>
internal sealed record EapRound(EapPacket Send, EapMethodStatus Status);

/// <summary>
/// The server side of EAP inside IKE_AUTH: optionally EAP-Identity first (when IDi is no usable name, e.g. the IP
/// address Windows sends), then EAP-MSCHAPv2 against the policy's users. The authenticated identity is the name
/// the peer proved in MS-CHAPv2.
/// </summary>
internal sealed class EapMsChapV2Conversation(GatewayPolicy policy, IResponderServices services)
{
    private readonly MsChapV2Authenticator _authenticator = new(name => Lookup(policy, name), policy.Identity, services.Random);
    private bool _awaitingIdentity;
    private byte _identityRequestId;

    /// <summary>The MSK once MS-CHAPv2 succeeded.</summary>
    public byte[]? Msk => _authenticator.Msk;

    /// <summary>The user the peer authenticated as, once known.</summary>
    public string? UserName => _authenticator.UserName;

    /// <summary>The first EAP request: Identity when <paramref name="identity"/> is null, else the MS-CHAPv2 Challenge.</summary>
    public EapPacket Start(string? identity)
    {
        Span<byte> id = stackalloc byte[1];
        services.Random(id);
        if (identity is null)
        {
            _awaitingIdentity = true;
            _identityRequestId = id[0];
            return EapIdentity.Request(_identityRequestId);
        }
        return _authenticator.Start(id[0]);
    }

    /// <summary>Feeds the peer's EAP response. A response that does not fit ends the conversation with Failure.</summary>
    public EapRound Process(EapPacket response)
    {
        if (_awaitingIdentity)
        {
            var identity = EapIdentity.ParseResponse(response);
            if (response.Identifier != _identityRequestId || !identity.IsSuccess)
                return new EapRound(EapPacket.Failure(response.Identifier), EapMethodStatus.Failed);
            _awaitingIdentity = false;
            return new EapRound(_authenticator.Start(unchecked((byte)(_identityRequestId + 1))), EapMethodStatus.Continue);
        }
        var step = _authenticator.Process(response);
        return step.Status switch
        {
            EapMethodStatus.Continue or EapMethodStatus.Succeeded when step.Send is not null => new EapRound(step.Send, step.Status),
            EapMethodStatus.Failed when step.Send is not null => new EapRound(step.Send, EapMethodStatus.Failed),
            _ => new EapRound(EapPacket.Failure(response.Identifier), EapMethodStatus.Failed),
        };
    }

    /// <summary>Users by exact name; a "DOMAIN\user" name (Windows) also matches "user".</summary>
    private static MsChapV2Credential? Lookup(GatewayPolicy policy, string name)
    {
        if (policy.EapUsers.TryGetValue(name, out var password))
            return MsChapV2Credential.FromPassword(password);
        int slash = name.LastIndexOf('\\');
        if (slash >= 0 && policy.EapUsers.TryGetValue(name[(slash + 1)..], out password))
            return MsChapV2Credential.FromPassword(password);
        return null;
    }
}
