using Gateway.Crypto.Eap;

namespace Gateway.Crypto.Tests.Eap;

public class MsChapV2ConversationTests
{
    private static RandomFill Fixed(byte[] value) => destination => value.AsSpan(0, destination.Length).CopyTo(destination);

    private static MsChapV2Authenticator Authenticator(RandomFill? random = null) => new(
        name => name == MsChapV2CryptoTests.User ? MsChapV2Credential.FromPassword(MsChapV2CryptoTests.Password) : null,
        "gateway", random);

    /// <summary>Sends a packet through the wire format, as the IKE EAP payload would carry it.</summary>
    private static EapPacket Wire(EapPacket packet) => EapPacket.Parse(packet.Encode()).Value!;

    [Fact]
    public void Peer_and_authenticator_agree_with_the_RFC_vectors_and_the_same_msk()
    {
        var authenticator = Authenticator(Fixed(MsChapV2CryptoTests.AuthenticatorChallenge));
        var peer = new MsChapV2Peer(MsChapV2CryptoTests.User, MsChapV2Credential.FromPassword(MsChapV2CryptoTests.Password),
            Fixed(MsChapV2CryptoTests.PeerChallenge));

        var challenge = authenticator.Start(1);
        var response = peer.Process(Wire(challenge));
        Assert.Equal(EapMethodStatus.Continue, response.Status);
        var parsedResponse = Assert.IsType<MsChapV2Response>(MsChapV2Codec.Parse(response.Send!).Value);
        Assert.Equal(MsChapV2CryptoTests.NtResponse, parsedResponse.NtResponse.ToArray());

        var success = authenticator.Process(Wire(response.Send!));
        Assert.Equal(EapMethodStatus.Continue, success.Status);
        Assert.Equal(2, success.Send!.Identifier);
        var successRequest = Assert.IsType<MsChapV2SuccessRequest>(MsChapV2Codec.Parse(success.Send).Value);
        Assert.StartsWith("S=407A5589115FD0D6209F510FE9C04566932CDA56", successRequest.Message);

        var ack = peer.Process(Wire(success.Send));
        Assert.Equal(EapMethodStatus.Continue, ack.Status);
        var done = authenticator.Process(Wire(ack.Send!));
        Assert.Equal(EapMethodStatus.Succeeded, done.Status);
        Assert.Equal(EapCode.Success, done.Send!.Code);
        Assert.Equal(2, done.Send.Identifier);
        Assert.Equal(EapMethodStatus.Succeeded, peer.Process(Wire(done.Send)).Status);

        Assert.Equal(MsChapV2Authenticator.State.Succeeded, authenticator.Current);
        Assert.Equal("User", authenticator.UserName);
        Assert.Equal(MsChapV2Crypto.Msk(MsChapV2Crypto.NtPasswordHash("clientPass"), MsChapV2CryptoTests.NtResponse, true),
            authenticator.Msk);
        Assert.Equal(authenticator.Msk, peer.Msk);
    }

    [Fact]
    public void Random_challenges_also_agree()
    {
        var peer = new MsChapV2Peer(@"CORP\User", MsChapV2Credential.FromPassword("clientPass"));
        var lookup = new MsChapV2Authenticator(_ => MsChapV2Credential.FromPassword("clientPass"));
        var packet = lookup.Start(200);
        EapStep step;
        var fromPeer = peer.Process(Wire(packet));
        step = lookup.Process(Wire(fromPeer.Send!));
        fromPeer = peer.Process(Wire(step.Send!));
        step = lookup.Process(Wire(fromPeer.Send!));
        Assert.Equal(EapMethodStatus.Succeeded, step.Status);
        Assert.Equal(EapMethodStatus.Succeeded, peer.Process(Wire(step.Send!)).Status);
        Assert.Equal(lookup.Msk, peer.Msk);
        Assert.Equal(@"CORP\User", lookup.UserName);
    }

    [Fact]
    public void Wrong_password_fails_with_E691_and_then_EAP_failure()
    {
        var authenticator = Authenticator();
        var peer = new MsChapV2Peer("User", MsChapV2Credential.FromPassword("wrong"));

        var response = peer.Process(Wire(authenticator.Start(1)));
        var failure = authenticator.Process(Wire(response.Send!));
        Assert.Equal(EapMethodStatus.Continue, failure.Status);
        Assert.Equal("wrong password", failure.Reason);
        var failureRequest = Assert.IsType<MsChapV2FailureRequest>(MsChapV2Codec.Parse(failure.Send!).Value);
        Assert.Matches("^E=691 R=0 C=[0-9A-F]{32} V=3 M=", failureRequest.Message);
        Assert.DoesNotContain("wrong", failureRequest.Message);

        var ack = peer.Process(Wire(failure.Send!));
        Assert.IsType<MsChapV2FailureResponse>(MsChapV2Codec.Parse(ack.Send!).Value);
        var end = authenticator.Process(Wire(ack.Send!));
        Assert.Equal(EapMethodStatus.Failed, end.Status);
        Assert.Equal(EapCode.Failure, end.Send!.Code);
        Assert.Null(authenticator.Msk);
        Assert.Equal(EapMethodStatus.Failed, peer.Process(Wire(end.Send)).Status);
        Assert.Null(peer.Msk);
    }

    [Fact]
    public void Unknown_user_fails_like_a_wrong_password()
    {
        var authenticator = Authenticator();
        var peer = new MsChapV2Peer("mallory", MsChapV2Credential.FromPassword("clientPass"));
        var failure = authenticator.Process(Wire(peer.Process(Wire(authenticator.Start(1))).Send!));
        Assert.IsType<MsChapV2FailureRequest>(MsChapV2Codec.Parse(failure.Send!).Value);
        Assert.Equal(MsChapV2Authenticator.State.FailureSent, authenticator.Current);
    }

    [Fact]
    public void Peer_rejects_a_server_that_does_not_know_the_password()
    {
        var authenticator = new MsChapV2Authenticator(_ => MsChapV2Credential.FromPassword("clientPass"));
        var peer = new MsChapV2Peer("User", MsChapV2Credential.FromPassword("clientPass"));
        var response = peer.Process(Wire(authenticator.Start(1)));
        authenticator.Process(Wire(response.Send!));
        // A forged Success request with a wrong authenticator response.
        var forged = MsChapV2Codec.Encode(EapCode.Request, 2,
            new MsChapV2SuccessRequest(1, "S=0000000000000000000000000000000000000000 M=hi"));
        var step = peer.Process(Wire(forged));
        Assert.Equal(EapMethodStatus.Failed, step.Status);
        Assert.Null(peer.Msk);
        // And an EAP-Success without a verified authenticator response is refused.
        var peer2 = new MsChapV2Peer("User", MsChapV2Credential.FromPassword("clientPass"));
        peer2.Process(Wire(new MsChapV2Authenticator(_ => null).Start(1)));
        Assert.Equal(EapMethodStatus.Failed, peer2.Process(EapPacket.Success(2)).Status);
    }

    [Fact]
    public void Malformed_response_fails_the_authenticator_without_throwing()
    {
        var authenticator = Authenticator();
        authenticator.Start(1);
        var garbage = EapPacket.Response(1, EapType.MsChapV2, [2, 1, 0, 9, 48]);
        var step = authenticator.Process(garbage);
        Assert.Equal(EapMethodStatus.Failed, step.Status);
        Assert.Equal(EapCode.Failure, step.Send!.Code);
        Assert.Contains("BadValueSize", step.Reason);
    }

    [Fact]
    public void Stale_identifier_is_ignored()
    {
        var authenticator = Authenticator();
        authenticator.Start(1);
        var step = authenticator.Process(EapPacket.Response(9, EapType.MsChapV2, [3]));
        Assert.Equal(EapMethodStatus.Ignored, step.Status);
        Assert.Equal(MsChapV2Authenticator.State.ChallengeSent, authenticator.Current);
    }

    [Fact]
    public void Nak_fails_and_peer_naks_other_methods()
    {
        var authenticator = Authenticator();
        authenticator.Start(1);
        Assert.Equal(EapMethodStatus.Failed, authenticator.Process(EapNak.Response(1, EapType.Tls)).Status);

        var peer = new MsChapV2Peer("User", MsChapV2Credential.FromPassword("x"));
        var step = peer.Process(EapPacket.Request(1, EapType.Md5Challenge, [16]));
        Assert.Equal(EapType.Nak, step.Send!.Type);
        Assert.Equal(new[] { EapType.MsChapV2 }, EapNak.Parse(step.Send).Value);
    }

    [Fact]
    public void Change_password_is_refused()
    {
        var authenticator = Authenticator();
        authenticator.Start(1);
        var change = MsChapV2Codec.Encode(EapCode.Response, 1,
            new MsChapV2ChangePassword(1, new byte[516], new byte[16], new byte[16], new byte[24], 0));
        var step = authenticator.Process(change);
        Assert.Equal(EapMethodStatus.Failed, step.Status);
    }
}
