using Gateway.Core.Initiator;
using Gateway.LoadTest.Profiles;

namespace Gateway.LoadTest.Options;

/// <summary>Which authentication a run uses, and which credentials it then needs.</summary>
public static class AuthPlan
{
    /// <summary>The profile's method, except that strongswan/apple take a certificate (or PSK) when one is given.</summary>
    public static InitiatorAuthMethod MethodFor(LoadProfile profile, LoadTestOptions options) => profile.Name switch
    {
        "strongswan" or "apple" when options.CertPath is not null => InitiatorAuthMethod.Certificate,
        "strongswan" when options.Psk is not null => InitiatorAuthMethod.Psk,
        _ => profile.DefaultAuth,
    };

    public static string? MissingCredential(InitiatorAuthMethod method, LoadTestOptions options) => method switch
    {
        InitiatorAuthMethod.Eap when options.User is null => "--user: required for EAP-MSCHAPv2",
        InitiatorAuthMethod.Eap when options.Password is null => "--password: required for EAP-MSCHAPv2 (or LOADTEST_PASSWORD)",
        InitiatorAuthMethod.Eap or InitiatorAuthMethod.Certificate when options.CaPath is null =>
            "--ca: required to check the gateway's certificate",
        InitiatorAuthMethod.Certificate when options.CertPath is null => "--cert and --key: required for certificate authentication",
        InitiatorAuthMethod.Psk when options.Psk is null => "--psk: required for PSK authentication (or LOADTEST_PSK)",
        InitiatorAuthMethod.Psk when options.Identity is null => "--id: required for PSK authentication (the identity the gateway knows the key by)",
        _ => null,
    };
}
