using Gateway.Core.Initiator;

namespace Gateway.LoadTest.Profiles;

/// <summary>
/// What a kind of client offers and how it authenticates. Proposals are ProposalSyntax text, preferred first — the
/// same strings strongSwan's configuration uses.
/// </summary>
public sealed record LoadProfile(string Name, IReadOnlyList<string> IkeProposals, IReadOnlyList<string> EspProposals,
    InitiatorAuthMethod DefaultAuth, bool Mobike, bool Fragmentation)
{
    public static readonly IReadOnlyList<string> Names = ["windows", "strongswan", "apple", "cert", "psk"];

    // Windows 7–11 defaults (DESIGN.md "Compatibility facts"): 3DES and AES-CBC with SHA1/SHA256/SHA384, MODP1024 only;
    // ESP AES-CBC with SHA1; EAP-MSCHAPv2; MOBIKE; Windows 7 has no IKEv2 fragmentation.
    private static readonly LoadProfile Windows = new("windows",
        ["aes256-sha1-modp1024", "aes256-sha256-modp1024", "aes256-sha384-modp1024", "aes128-sha1-modp1024",
         "3des-sha1-modp1024", "3des-sha256-modp1024", "3des-sha384-modp1024"],
        ["aes256-sha1", "aes128-sha1", "3des-sha1"],
        InitiatorAuthMethod.Eap, Mobike: true, Fragmentation: false);

    // strongSwan 5.9 default proposals, trimmed to what both sides implement: AES-CBC and AES-GCM, SHA2, x25519 first.
    private static readonly IReadOnlyList<string> StrongSwanIke =
        ["aes128-aes256-sha256-sha384-x25519-ecp256-modp2048", "aes128gcm16-aes256gcm16-prfsha256-prfsha384-x25519-ecp256-modp2048"];
    private static readonly IReadOnlyList<string> StrongSwanEsp = ["aes128gcm16-aes256gcm16", "aes128-aes256-sha256"];

    private static readonly LoadProfile StrongSwan = new("strongswan", StrongSwanIke, StrongSwanEsp,
        InitiatorAuthMethod.Eap, Mobike: true, Fragmentation: true);

    // iOS/macOS IKEv2 defaults: AES-256 with SHA-256 and ECP-256 (MODP2048 as the fallback); EAP or a certificate.
    private static readonly LoadProfile Apple = new("apple",
        ["aes256-sha256-ecp256", "aes256-sha256-modp2048"], ["aes256-sha256", "aes256gcm16"],
        InitiatorAuthMethod.Eap, Mobike: true, Fragmentation: true);

    private static readonly LoadProfile Cert = StrongSwan with { Name = "cert", DefaultAuth = InitiatorAuthMethod.Certificate };
    private static readonly LoadProfile Psk = StrongSwan with { Name = "psk", DefaultAuth = InitiatorAuthMethod.Psk };

    public static LoadProfile? Find(string name) => name.ToLowerInvariant() switch
    {
        "windows" => Windows,
        "strongswan" => StrongSwan,
        "apple" => Apple,
        "cert" => Cert,
        "psk" => Psk,
        _ => null,
    };
}
