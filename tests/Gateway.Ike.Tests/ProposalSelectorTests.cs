namespace Gateway.Ike.Tests;

public class ProposalSelectorTests
{
    private static IReadOnlyList<Proposal> Ike(string list) => ProposalSyntax.ParseList(list, ProtocolId.Ike);

    [Fact]
    public void Our_order_wins_over_the_peers_order()
    {
        var peer = Ike("aes128-sha1-modp1024,aes256-sha256-modp2048");
        var ours = Ike("aes256-sha256-modp2048,aes128-sha1-modp1024");
        var s = ProposalSelector.Select(peer, ours);
        Assert.True(s.IsChosen);
        Assert.Equal(2, s.Number);
        Assert.Equal("aes256-sha256-prfsha256-modp2048", ProposalSyntax.Format(s.Selected!));
    }

    [Fact]
    public void Within_a_match_our_first_transform_of_each_type_is_taken_once()
    {
        var peer = Ike("aes128-aes256-sha1-sha256-modp1024-modp2048-ecp256");
        var ours = Ike("aes256-aes128-sha256-sha1-ecp256-modp2048");
        var s = ProposalSelector.Select(peer, ours);
        Assert.Equal("aes256-sha256-prfsha256-ecp256", ProposalSyntax.Format(s.Selected!));
        Assert.Equal(4, s.Selected!.Transforms.Count);
    }

    [Fact]
    public void No_common_algorithm_is_no_proposal_chosen()
    {
        var s = ProposalSelector.Select(Ike("3des-md5-modp768"), Ike("aes256-sha256-modp2048"));
        Assert.False(s.IsChosen);
        Assert.Same(ProposalSelection.NoProposalChosen, s);
    }

    [Fact]
    public void Key_length_must_match_exactly()
    {
        Assert.False(ProposalSelector.Select(Ike("aes128-sha256-modp2048"), Ike("aes256-sha256-modp2048")).IsChosen);
        var noKeyLength = new Proposal(1, ProtocolId.Ike, default, [
            Transform.Encryption(EncryptionAlgorithm.AesCbc), Transform.Prf(PseudorandomFunction.HmacSha2_256),
            Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128), Transform.KeyExchange(KeyExchangeGroup.Modp2048)]);
        Assert.False(ProposalSelector.Select([noKeyLength], Ike("aes128-sha256-modp2048")).IsChosen);
    }

    [Fact]
    public void Windows_proposals_against_a_typical_gateway_config()
    {
        var windows = Ike("3des-sha1-modp1024,aes128-sha1-modp1024,aes192-sha1-modp1024,aes256-sha1-modp1024," +
                          "aes128-sha256-modp1024,aes256-sha256-modp1024,aes256-sha384-modp1024");
        var ours = Ike("aes256gcm16-prfsha384-ecp384,aes256-sha256-modp2048,aes256-sha256-modp1024,aes256-sha1-modp1024");
        var s = ProposalSelector.Select(new SecurityAssociationPayload(windows), ours);
        Assert.Equal(6, s.Number);
        Assert.Equal("aes256-sha256-prfsha256-modp1024", ProposalSyntax.Format(s.Selected!));
    }

    [Fact]
    public void Esp_keeps_peer_spi_and_number_and_handles_esn()
    {
        byte[] spi = [0xC0, 0xFF, 0xEE, 0x01];
        var peer = new[]
        {
            ProposalSyntax.Parse("aes128gcm16-esn", ProtocolId.Esp, 1).Proposal! with { Spi = spi },
            ProposalSyntax.Parse("aes256-sha256-esn-noesn", ProtocolId.Esp, 2).Proposal! with { Spi = spi },
        };
        var ours = ProposalSyntax.ParseList("aes256-sha256,aes128gcm16", ProtocolId.Esp);
        var s = ProposalSelector.Select(peer, ours);
        Assert.Equal(2, s.Number);
        Assert.Equal(spi, s.Selected!.Spi.ToArray());
        Assert.Equal("aes256-sha256-noesn", ProposalSyntax.Format(s.Selected));

        // Our noesn-only proposal cannot accept a peer that insists on ESN.
        Assert.False(ProposalSelector.Select([peer[0]], ProposalSyntax.ParseList("aes128gcm16", ProtocolId.Esp)).IsChosen);
        Assert.True(ProposalSelector.Select([peer[0]], ProposalSyntax.ParseList("aes128gcm16-esn", ProtocolId.Esp)).IsChosen);
    }

    [Fact]
    public void Pfs_group_must_be_agreed_and_protocols_must_match()
    {
        var peerPfs = ProposalSyntax.ParseList("aes256-sha256-modp2048", ProtocolId.Esp);
        Assert.False(ProposalSelector.Select(peerPfs, ProposalSyntax.ParseList("aes256-sha256", ProtocolId.Esp)).IsChosen);
        Assert.True(ProposalSelector.Select(peerPfs, ProposalSyntax.ParseList("aes256-sha256-ecp256-modp2048", ProtocolId.Esp)).IsChosen);
        Assert.False(ProposalSelector.Select(Ike("aes256-sha256-modp2048"), ProposalSyntax.ParseList("aes256-sha256", ProtocolId.Esp)).IsChosen);
    }

    [Fact]
    public void Integrity_none_counts_as_absent_for_aead()
    {
        var peer = new Proposal(1, ProtocolId.Esp, new byte[4], [
            Transform.Encryption(EncryptionAlgorithm.AesGcm16, 256), Transform.Integrity(IntegrityAlgorithm.None),
            Transform.Esn(ExtendedSequenceNumbers.No)]);
        var s = ProposalSelector.Select([peer], ProposalSyntax.ParseList("aes256gcm16", ProtocolId.Esp));
        Assert.True(s.IsChosen);
        Assert.Equal("aes256gcm16-noesn", ProposalSyntax.Format(s.Selected!));
    }
}
