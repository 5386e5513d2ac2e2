namespace Gateway.Ike.Tests;

public class DescriptionTests
{
    [Fact]
    public void Sa_init_request_reads_like_strongswan()
    {
        Assert.Equal("IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
            IkeMessageDescription.Describe(TestData.SaInitRequest()));
    }

    [Fact]
    public void Sa_init_response_with_certreq_and_vendor_id()
    {
        Assert.Equal("IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) CERTREQ N(FRAG_SUP) N(MULT_AUTH) V ]",
            IkeMessageDescription.Describe(TestData.SaInitResponse()));
    }

    [Fact]
    public void Decrypted_auth_request_lists_inner_payloads_in_place_of_sk()
    {
        var text = IkeMessageDescription.Describe(TestData.AuthRequestEncrypted(), TestData.AuthRequestInner());
        Assert.Equal("IKE_AUTH request 1 [ IDi N(INIT_CONTACT) CERT CERTREQ IDr AUTH CPRQ(ADDR DNS ADDR6 DNS6) SA TSi TSr "
                     + "N(MOBIKE_SUP) N(NO_ADD_ADDR) N(ESP_TFC_PAD_N) N(NON_FIRST_FRAG) ]", text);
        Assert.Equal("IKE_AUTH request 1 [ SK ]", IkeMessageDescription.Describe(TestData.AuthRequestEncrypted()));
    }

    [Fact]
    public void Auth_response_shows_eap_cp_reply_and_fragments()
    {
        var text = IkeMessageDescription.Describe(IkeMessage.Create(TestData.Header(ExchangeType.IkeAuth, true, 1), TestData.AuthResponseInner()));
        Assert.Equal("IKE_AUTH response 1 [ IDr AUTH EAP/REQ/ID CPRP(ADDR MASK DNS NBNS SUBNET ADDR6 SUBNET6 VER) SA TSi TSr N(AUTH_LFT) ]", text);
        Assert.Equal("IKE_AUTH response 1 [ EF(1/3) ]", IkeMessageDescription.Describe(TestData.AuthResponseFragment()));
    }

    [Fact]
    public void Informational_with_deletes_unknown_and_unknown_notify_numbers()
    {
        Assert.Equal("INFORMATIONAL request 5 [ D D N(REKEY_SA) N(REDIR) N(ADD_4_ADDR) N(INVAL_KE) UNKN(200) V ]",
            IkeMessageDescription.Describe(TestData.InformationalPlain()));
        var odd = IkeMessage.Create(TestData.Header(ExchangeType.CreateChildSa, true, 9), [
            new NotifyPayload(ProtocolId.None, default, 40000, default),
            new EapPayload(new byte[] { 3, 1, 0, 4 }),
            new EapPayload(new byte[] { 2, 1, 0, 6, 26, 2 }),
            new ConfigurationPayload(ConfigurationType.Set, []),
        ]);
        Assert.Equal("CREATE_CHILD_SA response 9 [ N((40000)) EAP/SUCC EAP/RES/MSCHAPV2 CP ]", IkeMessageDescription.Describe(odd));
    }
}
