using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>Real strongSwan 5.9.8 packets from tests/fixtures/strongswan, and their decrypted contents.</summary>
public static class Fixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root (the directory holding Gateway.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    public static byte[] Packet(string scenario, string file) =>
        Convert.FromHexString(File.ReadAllText(Path.Combine(RepositoryRoot, "tests", "fixtures", "strongswan", scenario, file + ".hex")).Trim());

    public static Dictionary<string, string> Keys(string scenario) =>
        File.ReadAllLines(Path.Combine(RepositoryRoot, "tests", "fixtures", "strongswan", scenario, "keys.txt"))
            .Where(l => l.Length > 0 && l[0] != '#' && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    /// <summary>
    /// IKE_AUTH request 1 of the PSK scenario (aes256-sha256-modp2048) as on the wire: [ SK ] around
    /// IDi N(INIT_CONTACT) CERTREQ IDr AUTH CPRQ SA TSi TSr N(MOBIKE_SUP) N(ADD_6_ADDR) N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP).
    /// </summary>
    public static byte[] IkeAuthOnWire => Packet("psk-aes256-sha256-modp2048", "03-IKE_AUTH-request");

    /// <summary>The same IKE_AUTH decrypted: the IKE header followed directly by its inner payloads (the form the IKE SA logic works on).</summary>
    public static byte[] IkeAuthDecrypted() => Decrypt("psk-aes256-sha256-modp2048", "03-IKE_AUTH-request", initiator: true);

    /// <summary>INFORMATIONAL request [ D ] (delete IKE SA) of the PSK scenario, decrypted.</summary>
    public static byte[] InformationalDecrypted() => Decrypt("psk-aes256-sha256-modp2048", "05-INFORMATIONAL-request", initiator: true);

    public static byte[] IkeSaInitRequest => Packet("psk-aes256-sha256-modp2048", "01-IKE_SA_INIT-request");

    /// <summary>Length of the plaintext inside the SK payload of the real IKE_AUTH request (the "typical IKE_AUTH" size for SK benchmarks).</summary>
    public static int IkeAuthInnerLength => IkeAuthDecrypted().Length - IkeLimits.HeaderLength;

    private static byte[] Decrypt(string scenario, string file, bool initiator)
    {
        var packet = Packet(scenario, file);
        var keys = Keys(scenario);
        using var sk = SkProtectionFactory.Create(EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128,
            Convert.FromHexString(keys[initiator ? "sk_ei" : "sk_er"]), Convert.FromHexString(keys[initiator ? "sk_ai" : "sk_ar"]));
        if (!EncryptedMessageLayout.TryLocate(packet, out var regions))
            throw new InvalidOperationException($"{scenario}/{file}: no SK payload");
        var body = packet.AsSpan(regions.Body);
        var plain = new byte[sk.MaxPlaintextLength(body.Length)];
        if (!sk.TryOpen(packet.AsSpan(regions.AssociatedData), body, plain, out var n))
            throw new InvalidOperationException($"{scenario}/{file}: SK does not verify with the fixture keys");

        // The SK payload's generic header (just before the body) names the first inner payload.
        var firstInner = packet[regions.BodyOffset - IkeLimits.GenericPayloadHeaderLength];
        var message = new byte[IkeLimits.HeaderLength + n];
        packet.AsSpan(0, IkeLimits.HeaderLength).CopyTo(message);
        plain.AsSpan(0, n).CopyTo(message.AsSpan(IkeLimits.HeaderLength));
        message[16] = firstInner;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(24), (uint)message.Length);
        var parsed = IkeMessage.Parse(message);
        if (!parsed.IsSuccess)
            throw new InvalidOperationException($"{scenario}/{file}: decrypted message does not parse: {parsed}");
        return message;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("Gateway.sln not found above the benchmark's directory");
    }
}
