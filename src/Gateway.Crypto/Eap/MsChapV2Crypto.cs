using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Crypto.Eap;

/// <summary>
/// The MS-CHAPv2 algorithms of RFC 2759 §8 and the MPPE master keys of RFC 3079 §3, plus the EAP-MSCHAPv2 MSK of
/// Microsoft's MS-CHAP spec §3.1.5.1. Primitives: MD4 from BouncyCastle (.NET has none), SHA-1 and DES from .NET
/// (BouncyCastle's DES only for the weak and semi-weak keys .NET refuses, which MS-CHAPv2 can produce).
/// </summary>
public static class MsChapV2Crypto
{
    /// <summary>Size of the authenticator and peer challenges.</summary>
    public const int ChallengeLength = 16;

    /// <summary>Size of the NT-Response.</summary>
    public const int NtResponseLength = 24;

    /// <summary>Size of the NT password hash.</summary>
    public const int PasswordHashLength = 16;

    /// <summary>Size of the MSK.</summary>
    public const int MskLength = 64;

    private static readonly byte[] AuthMagic1 = Encoding.ASCII.GetBytes("Magic server to client signing constant");
    private static readonly byte[] AuthMagic2 = Encoding.ASCII.GetBytes("Pad to make it do more than one iteration");
    private static readonly byte[] MasterMagic1 = Encoding.ASCII.GetBytes("This is the MPPE Master Key");
    private static readonly byte[] MasterMagic2 = Encoding.ASCII.GetBytes(
        "On the client side, this is the send key; on the server side, it is the receive key.");
    private static readonly byte[] MasterMagic3 = Encoding.ASCII.GetBytes(
        "On the client side, this is the receive key; on the server side, it is the send key.");
    private static readonly byte[] ShsPad1 = new byte[40];
    private static readonly byte[] ShsPad2 = Enumerable.Repeat((byte)0xF2, 40).ToArray();

    /// <summary>
    /// ChallengeHash (RFC 2759 §8.2): the first 8 bytes of SHA1(PeerChallenge ‖ AuthenticatorChallenge ‖ UserName),
    /// the user name without a prepended "DOMAIN\".
    /// </summary>
    public static byte[] ChallengeHash(ReadOnlySpan<byte> peerChallenge, ReadOnlySpan<byte> authenticatorChallenge, string userName)
    {
        RequireLength(peerChallenge, ChallengeLength, nameof(peerChallenge));
        RequireLength(authenticatorChallenge, ChallengeLength, nameof(authenticatorChallenge));
        ArgumentNullException.ThrowIfNull(userName);
        var name = Encoding.UTF8.GetBytes(StripDomain(userName));
        var input = new byte[2 * ChallengeLength + name.Length];
        peerChallenge.CopyTo(input);
        authenticatorChallenge.CopyTo(input.AsSpan(ChallengeLength));
        name.CopyTo(input, 2 * ChallengeLength);
        return SHA1.HashData(input)[..8];
    }

    /// <summary>NtPasswordHash (RFC 2759 §8.3): MD4 of the password in UTF-16LE (no terminator).</summary>
    public static byte[] NtPasswordHash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var unicode = Encoding.Unicode.GetBytes(password);
        try
        {
            return Md4(unicode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(unicode);
        }
    }

    /// <summary>HashNtPasswordHash (RFC 2759 §8.4): MD4 of the password hash.</summary>
    public static byte[] HashNtPasswordHash(ReadOnlySpan<byte> passwordHash)
    {
        RequireLength(passwordHash, PasswordHashLength, nameof(passwordHash));
        return Md4(passwordHash);
    }

    /// <summary>
    /// ChallengeResponse (RFC 2759 §8.5): the 8-byte challenge DES-encrypted under the three 7-byte thirds of the
    /// zero-padded 21-byte password hash.
    /// </summary>
    public static byte[] ChallengeResponse(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> passwordHash)
    {
        RequireLength(challenge, 8, nameof(challenge));
        RequireLength(passwordHash, PasswordHashLength, nameof(passwordHash));
        Span<byte> zPasswordHash = stackalloc byte[21];
        zPasswordHash.Clear();
        passwordHash.CopyTo(zPasswordHash);
        var response = new byte[NtResponseLength];
        for (var i = 0; i < 3; i++)
            DesEncrypt(challenge, zPasswordHash.Slice(7 * i, 7), response.AsSpan(8 * i, 8));
        CryptographicOperations.ZeroMemory(zPasswordHash);
        return response;
    }

    /// <summary>GenerateNTResponse (RFC 2759 §8.1).</summary>
    public static byte[] GenerateNtResponse(ReadOnlySpan<byte> authenticatorChallenge, ReadOnlySpan<byte> peerChallenge,
        string userName, ReadOnlySpan<byte> passwordHash)
    {
        var challenge = ChallengeHash(peerChallenge, authenticatorChallenge, userName);
        return ChallengeResponse(challenge, passwordHash);
    }

    /// <summary>
    /// GenerateAuthenticatorResponse (RFC 2759 §8.7): "S=" and 40 upper-case hex digits.
    /// </summary>
    public static string GenerateAuthenticatorResponse(ReadOnlySpan<byte> passwordHash, ReadOnlySpan<byte> ntResponse,
        ReadOnlySpan<byte> peerChallenge, ReadOnlySpan<byte> authenticatorChallenge, string userName)
    {
        RequireLength(ntResponse, NtResponseLength, nameof(ntResponse));
        var passwordHashHash = HashNtPasswordHash(passwordHash);
        var digest = Sha1(passwordHashHash, ntResponse, AuthMagic1);
        var challenge = ChallengeHash(peerChallenge, authenticatorChallenge, userName);
        digest = Sha1(digest, challenge, AuthMagic2);
        CryptographicOperations.ZeroMemory(passwordHashHash);
        return "S=" + Convert.ToHexString(digest);
    }

    /// <summary>GetMasterKey (RFC 3079 §3.4): the first 16 bytes of SHA1(PasswordHashHash ‖ NT-Response ‖ Magic1).</summary>
    public static byte[] GetMasterKey(ReadOnlySpan<byte> passwordHashHash, ReadOnlySpan<byte> ntResponse)
    {
        RequireLength(passwordHashHash, PasswordHashLength, nameof(passwordHashHash));
        RequireLength(ntResponse, NtResponseLength, nameof(ntResponse));
        return Sha1(passwordHashHash, ntResponse, MasterMagic1)[..16];
    }

    /// <summary>
    /// GetAsymmetricStartKey (RFC 3079 §3.4): SHA1(MasterKey ‖ SHSpad1 ‖ Magic ‖ SHSpad2) cut to the key length, the
    /// magic chosen by direction and side (Magic3 for the server's send key and the client's receive key, Magic2
    /// for the other two).
    /// </summary>
    public static byte[] GetAsymmetricStartKey(ReadOnlySpan<byte> masterKey, int sessionKeyLength, bool isSend, bool isServer)
    {
        RequireLength(masterKey, 16, nameof(masterKey));
        if (sessionKeyLength is not (8 or 16))
            throw new ArgumentOutOfRangeException(nameof(sessionKeyLength), "MPPE start keys are 8 or 16 bytes.");
        var magic = isSend == isServer ? MasterMagic3 : MasterMagic2;
        var input = new byte[16 + ShsPad1.Length + magic.Length + ShsPad2.Length];
        masterKey.CopyTo(input);
        ShsPad1.CopyTo(input, 16);
        magic.CopyTo(input, 16 + ShsPad1.Length);
        ShsPad2.CopyTo(input, 16 + ShsPad1.Length + magic.Length);
        var digest = SHA1.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        return digest[..sessionKeyLength];
    }

    /// <summary>
    /// The EAP-MSCHAPv2 MSK (MS-CHAP spec §3.1.5.1): MasterReceiveKey ‖ MasterSendKey ‖ 32 zero bytes with the
    /// master keys as the authenticator computes them. The peer gets the same 64 bytes: its send key is the
    /// authenticator's receive key (both Magic2) and its receive key the authenticator's send key (both Magic3), so it
    /// computes MasterSendKey ‖ MasterReceiveKey from its own side.
    /// </summary>
    public static byte[] Msk(ReadOnlySpan<byte> masterKey, bool isServer)
    {
        var authenticatorReceive = GetAsymmetricStartKey(masterKey, 16, isSend: !isServer, isServer);
        var authenticatorSend = GetAsymmetricStartKey(masterKey, 16, isSend: isServer, isServer);
        var msk = new byte[MskLength];
        authenticatorReceive.CopyTo(msk, 0);
        authenticatorSend.CopyTo(msk, 16);
        CryptographicOperations.ZeroMemory(authenticatorReceive);
        CryptographicOperations.ZeroMemory(authenticatorSend);
        return msk;
    }

    /// <summary>The MSK from the password hash and NT-Response (either side).</summary>
    public static byte[] Msk(ReadOnlySpan<byte> passwordHash, ReadOnlySpan<byte> ntResponse, bool isServer)
    {
        var passwordHashHash = HashNtPasswordHash(passwordHash);
        var masterKey = GetMasterKey(passwordHashHash, ntResponse);
        try
        {
            return Msk(masterKey, isServer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordHashHash);
            CryptographicOperations.ZeroMemory(masterKey);
        }
    }

    internal static string StripDomain(string userName)
    {
        var slash = userName.LastIndexOf('\\');
        return slash >= 0 ? userName[(slash + 1)..] : userName;
    }

    /// <summary>Expands a 7-byte key to an 8-byte DES key: 7 bits per byte, the low bit set for odd parity.</summary>
    internal static void ExpandDesKey(ReadOnlySpan<byte> key7, Span<byte> key8)
    {
        ulong bits = 0;
        for (var i = 0; i < 7; i++)
            bits = (bits << 8) | key7[i];
        for (var i = 0; i < 8; i++)
        {
            var b = (byte)((bits >> (49 - 7 * i)) & 0x7F);
            b <<= 1;
            // Odd parity in the low bit (DES ignores it, but keep keys canonical).
            if ((System.Numerics.BitOperations.PopCount(b) & 1) == 0)
                b |= 1;
            key8[i] = b;
        }
    }

    internal static void DesEncrypt(ReadOnlySpan<byte> clear, ReadOnlySpan<byte> key7, Span<byte> cipher)
    {
        var key = new byte[8];
        ExpandDesKey(key7, key);
        try
        {
            if (DES.IsWeakKey(key) || DES.IsSemiWeakKey(key))
            {
                DesEncryptBouncyCastle(clear, key, cipher);
                return;
            }
            using var des = DES.Create();
            des.Key = key;
            des.EncryptEcb(clear, cipher, PaddingMode.None);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal static void DesEncryptBouncyCastle(ReadOnlySpan<byte> clear, byte[] key8, Span<byte> cipher)
    {
        var engine = new DesEngine();
        engine.Init(true, new KeyParameter(key8));
        engine.ProcessBlock(clear, cipher);
    }

    private static byte[] Md4(ReadOnlySpan<byte> data)
    {
        var md4 = new MD4Digest();
        md4.BlockUpdate(data);
        var output = new byte[md4.GetDigestSize()];
        md4.DoFinal(output);
        return output;
    }

    private static byte[] Sha1(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hash.AppendData(a);
        hash.AppendData(b);
        hash.AppendData(c);
        return hash.GetHashAndReset();
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
            throw new ArgumentException($"Must be {length} bytes, not {value.Length}.", name);
    }
}
