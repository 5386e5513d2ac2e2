using System.Net;
using System.Text;
using Gateway.Core.IkeSa;
using Gateway.Core.Policy;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>A development PKI made once per test run (key generation is slow), and policies over it.</summary>
internal static class TestPki
{
    public const string GatewayName = "vpn.example.com";

    private static readonly Lazy<IssuedCertificate> LazyCa = new(() => DevelopmentPki.CreateRootCa("Test Root CA"));
    private static readonly Lazy<IssuedCertificate> LazyOtherCa = new(() => DevelopmentPki.CreateRootCa("Untrusted Root CA"));
    private static readonly Lazy<IssuedCertificate> LazyGatewayRsa = new(() => DevelopmentPki.IssueGatewayCertificate(Ca, GatewayName));
    private static readonly Lazy<IssuedCertificate> LazyGatewayEcdsa = new(() => DevelopmentPki.IssueGatewayCertificate(Ca, GatewayName, DevelopmentKeyType.EcdsaP256));
    private static readonly Lazy<IssuedCertificate> LazyClientRsa = new(() => DevelopmentPki.IssueClientCertificate(Ca, "client.example.com"));
    private static readonly Lazy<IssuedCertificate> LazyClientEcdsa = new(() => DevelopmentPki.IssueClientCertificate(Ca, "ecclient.example.com", DevelopmentKeyType.EcdsaP256));
    private static readonly Lazy<IssuedCertificate> LazyClientUntrusted = new(() => DevelopmentPki.IssueClientCertificate(LazyOtherCa.Value, "client.example.com"));

    public static IssuedCertificate Ca => LazyCa.Value;
    public static IssuedCertificate GatewayRsa => LazyGatewayRsa.Value;
    public static IssuedCertificate GatewayEcdsa => LazyGatewayEcdsa.Value;
    public static IssuedCertificate ClientRsa => LazyClientRsa.Value;
    public static IssuedCertificate ClientEcdsa => LazyClientEcdsa.Value;
    public static IssuedCertificate ClientUntrusted => LazyClientUntrusted.Value;
}

/// <summary>A responder with a test policy and in-memory services, plus helpers to read its steps.</summary>
internal sealed class TestGateway
{
    public const string PskIdentity = "site1.example";
    public static readonly byte[] Psk = Encoding.ASCII.GetBytes("correct horse battery staple");
    public const string EapUser = "alice";
    public const string EapPassword = "alice-pw";

    public static readonly string[] DefaultIkeProposals =
        ["aes256-sha256-modp2048", "aes128gcm16-prfsha256-x25519", "aes256-sha256-ecp256", "3des-sha1-modp1024", "aes256-sha1-modp1024"];
    public static readonly string[] DefaultEspProposals = ["aes256gcm16", "aes256-sha256", "aes256-sha1", "aes128-sha1"];

    public TestGateway(GatewayPolicy? policy = null, InMemoryResponderServices? services = null)
    {
        Policy = policy ?? CreatePolicy();
        Services = services ?? new InMemoryResponderServices(Policy.Pools);
    }

    public GatewayPolicy Policy { get; }
    public InMemoryResponderServices Services { get; }

    public IkeSaResponder NewSa(ResponderOptions? options = null) =>
        new(BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) | 1, Policy, Services, options);

    public static GatewayPolicy CreatePolicy(IssuedCertificate? gatewayCertificate = null, string[]? ike = null, string[]? esp = null,
        AddressPools? pools = null) => new()
    {
        Identity = TestPki.GatewayName,
        Certificate = (gatewayCertificate ?? TestPki.GatewayRsa).Certificate,
        CertificateChain = [],
        TrustedCas = [TestPki.Ca.Certificate],
        IkeProposals = (ike ?? DefaultIkeProposals).Select((p, i) => ProposalSyntax.Parse(p, ProtocolId.Ike, (byte)(i + 1)).Proposal!).ToList(),
        EspProposals = (esp ?? DefaultEspProposals).Select((p, i) => ProposalSyntax.Parse(p, ProtocolId.Esp, (byte)(i + 1)).Proposal!).ToList(),
        Pools = pools ?? new AddressPools(IPNetwork.Parse("10.77.0.0/24"), IPNetwork.Parse("fd77::/120"),
            [IPAddress.Parse("10.10.0.53"), IPAddress.Parse("fd10::53")]),
        ProtectedSubnets = [IPNetwork.Parse("10.10.0.0/24"), IPNetwork.Parse("fd10::/64")],
        EapUsers = new Dictionary<string, string> { [EapUser] = EapPassword },
        PreSharedKeys = new Dictionary<string, byte[]> { [PskIdentity] = Psk },
    };
}

internal static class StepExtensions
{
    public static T Single<T>(this IkeSaStep step) where T : IkeSaEvent => Assert.Single(step.Events.OfType<T>());

    public static IEnumerable<T> All<T>(this IkeSaStep step) where T : IkeSaEvent => step.Events.OfType<T>();
}
