namespace Gateway.Ike;

/// <summary>IKEv2 exchange types (IANA "IKEv2 Exchange Types"; RFC 7296 §3.1, RFC 5723, RFC 9242, RFC 9370).</summary>
public enum ExchangeType : byte
{
    IkeSaInit = 34,
    IkeAuth = 35,
    CreateChildSa = 36,
    Informational = 37,
    IkeSessionResume = 38,
    GsaAuth = 39,
    GsaRegistration = 40,
    GsaRekey = 41,
    IkeIntermediate = 43,
    IkeFollowupKe = 44,
}
