using Gateway.Crypto.Eap;

namespace Gateway.Crypto.Tests.Eap;

/// <summary>RFC 2759 §9.2 and RFC 3079 §3.5.3 published vectors, and the MSK built on them.</summary>
public class MsChapV2CryptoTests
{
    internal const string User = "User";
    internal const string Password = "clientPass";
    internal static readonly byte[] AuthenticatorChallenge = Convert.FromHexString("5B5D7C7D7B3F2F3E3C2C602132262628");
    internal static readonly byte[] PeerChallenge = Convert.FromHexString("21402324255E262A28295F2B3A337C7E");
    internal static readonly byte[] NtResponse = Convert.FromHexString("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");

    [Fact]
    public void ChallengeHash_matches_RFC2759() =>
        Assert.Equal("D02E4386BCE91226", Convert.ToHexString(MsChapV2Crypto.ChallengeHash(PeerChallenge, AuthenticatorChallenge, User)));

    [Fact]
    public void ChallengeHash_ignores_a_prepended_domain() =>
        Assert.Equal("D02E4386BCE91226", Convert.ToHexString(MsChapV2Crypto.ChallengeHash(PeerChallenge, AuthenticatorChallenge, @"CORP\User")));

    [Fact]
    public void NtPasswordHash_matches_RFC2759() =>
        Assert.Equal("44EBBA8D5312B8D611474411F56989AE", Convert.ToHexString(MsChapV2Crypto.NtPasswordHash(Password)));

    [Fact]
    public void PasswordHashHash_matches_RFC2759() =>
        Assert.Equal("41C00C584BD2D91C4017A2A12FA59F3F",
            Convert.ToHexString(MsChapV2Crypto.HashNtPasswordHash(MsChapV2Crypto.NtPasswordHash(Password))));

    [Fact]
    public void NtResponse_matches_RFC2759()
    {
        var hash = MsChapV2Crypto.NtPasswordHash(Password);
        Assert.Equal(NtResponse, MsChapV2Crypto.GenerateNtResponse(AuthenticatorChallenge, PeerChallenge, User, hash));
    }

    [Fact]
    public void AuthenticatorResponse_matches_RFC2759()
    {
        var hash = MsChapV2Crypto.NtPasswordHash(Password);
        Assert.Equal("S=407A5589115FD0D6209F510FE9C04566932CDA56",
            MsChapV2Crypto.GenerateAuthenticatorResponse(hash, NtResponse, PeerChallenge, AuthenticatorChallenge, User));
    }

    [Fact]
    public void MasterKey_matches_RFC3079()
    {
        var hashHash = MsChapV2Crypto.HashNtPasswordHash(MsChapV2Crypto.NtPasswordHash(Password));
        Assert.Equal("FDECE3717A8C838CB388E527AE3CDD31", Convert.ToHexString(MsChapV2Crypto.GetMasterKey(hashHash, NtResponse)));
    }

    [Fact]
    public void SendStartKey128_matches_RFC3079_as_the_server_computes_it()
    {
        // RFC 3079 §3.5.3 derives SendStartKey128 with IsSend = TRUE, IsServer = TRUE.
        var masterKey = Convert.FromHexString("FDECE3717A8C838CB388E527AE3CDD31");
        Assert.Equal("8B7CDC149B993A1BA118CB153F56DCCB",
            Convert.ToHexString(MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: true, isServer: true)));
        // The client's receive key is the server's send key (both Magic3), and vice versa (Magic2).
        Assert.Equal(MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: true, isServer: true),
            MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: false, isServer: false));
        Assert.Equal(MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: false, isServer: true),
            MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: true, isServer: false));
        Assert.NotEqual(MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: true, isServer: true),
            MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: false, isServer: true));
    }

    [Fact]
    public void Msk_is_receive_then_send_then_32_zeros_as_the_authenticator_computes_them()
    {
        var masterKey = Convert.FromHexString("FDECE3717A8C838CB388E527AE3CDD31");
        var serverReceive = MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: false, isServer: true);
        var serverSend = MsChapV2Crypto.GetAsymmetricStartKey(masterKey, 16, isSend: true, isServer: true);

        var msk = MsChapV2Crypto.Msk(MsChapV2Crypto.NtPasswordHash(Password), NtResponse, isServer: true);

        Assert.Equal(64, msk.Length);
        Assert.Equal(serverReceive, msk[..16]);
        Assert.Equal("8B7CDC149B993A1BA118CB153F56DCCB", Convert.ToHexString(msk[16..32])); // RFC 3079 SendStartKey128
        Assert.Equal(new byte[32], msk[32..]);
        Assert.Equal(serverSend, msk[16..32]);
        // The receive key (Magic2) for these vectors, computed by this code and matching other public implementations.
        Assert.Equal("D5F0E9521E3EA9589645E86051C82226", Convert.ToHexString(msk[..16]));
    }

    [Fact]
    public void Peer_computes_the_same_msk_as_the_authenticator()
    {
        var hash = MsChapV2Crypto.NtPasswordHash(Password);
        Assert.Equal(MsChapV2Crypto.Msk(hash, NtResponse, isServer: true), MsChapV2Crypto.Msk(hash, NtResponse, isServer: false));
    }

    [Fact]
    public void Des_fallback_for_weak_keys_agrees_with_dotnet_on_normal_keys()
    {
        var clear = Convert.FromHexString("D02E4386BCE91226");
        var key7 = Convert.FromHexString("44EBBA8D5312B8");
        var key8 = new byte[8];
        MsChapV2Crypto.ExpandDesKey(key7, key8);
        var viaDotNet = new byte[8];
        MsChapV2Crypto.DesEncrypt(clear, key7, viaDotNet);
        var viaBouncy = new byte[8];
        MsChapV2Crypto.DesEncryptBouncyCastle(clear, key8, viaBouncy);
        Assert.Equal(viaDotNet, viaBouncy);
        Assert.Equal(NtResponse[..8], viaDotNet);
    }

    [Fact]
    public void ChallengeResponse_works_when_a_third_of_the_hash_is_a_weak_DES_key()
    {
        // Bytes 14-15 of the hash zero: the third DES key expands to 01 01 01 01 01 01 01 01, a weak key .NET refuses.
        var hash = Convert.FromHexString("44EBBA8D5312B8D611474411F5690000");
        var response = MsChapV2Crypto.ChallengeResponse(Convert.FromHexString("D02E4386BCE91226"), hash);
        Assert.Equal(24, response.Length);
        var weak = new byte[8];
        MsChapV2Crypto.DesEncryptBouncyCastle(Convert.FromHexString("D02E4386BCE91226"),
            Convert.FromHexString("0101010101010101"), weak);
        Assert.Equal(weak, response[16..]);
    }

    [Fact]
    public void Credential_never_shows_the_password()
    {
        var credential = MsChapV2Credential.FromPassword(Password);
        Assert.DoesNotContain(Password, credential.ToString());
        Assert.DoesNotContain("44EBBA8D", credential.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
