using Gateway.Core.IkeSa;
using Gateway.Crypto.Prf;
using Gateway.Crypto.Sk;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>IKE fragmentation (RFC 7383): negotiation, reassembly with reordering/duplicates/forgeries, fragmented responses, strongSwan's fragments.</summary>
public sealed class FragmentationTests
{
    private static readonly ResponderOptions SmallFragments = new() { FragmentSize = 576 };

    private static (IkeSaResponder Sa, TestInitiator Client) AfterSaInit(ResponderOptions? options = null, bool announce = true)
    {
        var sa = new TestGateway().NewSa(options);
        var client = new TestInitiator(sa) { AnnounceFragmentation = announce };
        var (_, init) = client.SaInit("aes256-sha256-modp2048");
        Assert.Equal(announce, init!.FindNotify(NotifyType.Ikev2FragmentationSupported) is not null);
        Assert.Equal(announce, sa.FragmentationNegotiated);
        return (sa, client);
    }

    /// <summary>A big IKE_AUTH: the client certificate plus a chain padded with more certificates (as a long chain would be).</summary>
    private static List<Payload> BigCertificateAuth(TestInitiator client)
    {
        var leaf = TestPki.ClientRsa;
        var idi = TestInitiator.Id(leaf.Certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        var method = Gateway.Crypto.Auth.AuthSignature.ChooseMethod(leaf.Key, peerSupportsRfc7427: true);
        var auth = new AuthenticationPayload(method, Gateway.Crypto.Auth.AuthSignature.Sign(method, leaf.Key, client.InitiatorOctets(idi)));
        var chain = new[] { TestPki.Ca, TestPki.GatewayRsa, TestPki.ClientEcdsa, TestPki.Ca }
            .Select(c => new CertificatePayload(CertificateEncoding.X509Signature, c.Certificate.RawData));
        return [idi, new CertificatePayload(CertificateEncoding.X509Signature, leaf.Certificate.RawData), .. chain, auth,
            .. TestInitiator.ChildPayloads("aes256-sha256", 0xF0000001, TestInitiator.AddressRequest())];
    }

    [Fact]
    public void Fragmentation_is_announced_only_to_peers_that_announce_it()
    {
        var (a, ca) = AfterSaInit(announce: true);
        var (b, cb) = AfterSaInit(announce: false); // Windows 7 sends no IKEV2_FRAGMENTATION_SUPPORTED
        using (a) using (ca) using (b) using (cb)
        {
            // Without negotiation SKF is not accepted, and a big response is never fragmented.
            var fragments = cb.SealFragments(ExchangeType.IkeAuth, 1, BigCertificateAuth(cb), 300);
            Assert.Equal(IkeDropReason.Unexpected, cb.Deliver(fragments[0]).Single<IkeMessageDropped>().Reason);
            var round = cb.AuthenticateWithCertificate(TestPki.ClientRsa, TestPki.Ca.Certificate,
                TestInitiator.ChildPayloads("aes256-sha256", 0xF0000002, TestInitiator.AddressRequest()));
            Assert.Single(round.Step.Send);
            Assert.True(round.Step.Send[0].Message.Length > 576);
        }
    }

    [Fact]
    public void Reordered_and_duplicated_fragments_of_a_big_IKE_AUTH_are_processed_once_and_the_response_is_fragmented()
    {
        var (sa, client) = AfterSaInit(SmallFragments);
        using (sa)
        using (client)
        {
            var fragments = client.SealFragments(ExchangeType.IkeAuth, 1, BigCertificateAuth(client), 400);
            Assert.True(fragments.Count >= 8, $"{fragments.Count} fragments");
            var order = Enumerable.Range(0, fragments.Count).Reverse().ToList();
            order.Insert(3, order[1]); // a duplicate in the middle
            var steps = new List<IkeSaStep>();
            for (int i = 0; i < order.Count; i++)
            {
                var step = client.Deliver(fragments[order[i]]);
                steps.Add(step);
                if (i < order.Count - 1)
                    Assert.Empty(step.Send);
            }
            var last = steps[^1];
            last.Single<ChildSaEstablished>();
            Assert.Single(steps.SelectMany(s => s.Events).OfType<IkeSaEstablished>());
            Assert.Empty(steps.SelectMany(s => s.Events).OfType<IkeMessageDropped>());
            Assert.Equal(0, sa.BufferedFragmentBytes);

            // Our response exceeds 576 bytes: SKF fragments that each fit, reassembled by the client.
            Assert.True(last.Send.Count > 1);
            Assert.All(last.Send, d => Assert.True(d.Message.Length <= 576 - 28, $"{d.Message.Length} bytes"));
            var (header, payloads) = client.OpenAll(last.Send.Select(d => d.Message).ToList());
            Assert.True(header.IsResponse);
            client.VerifyGatewaySignature(payloads, TestPki.Ca.Certificate);

            // A retransmitted first fragment gets every fragment of the cached response; other fragments get nothing.
            var again = client.Deliver(fragments[0]);
            Assert.Equal(last.Send.Select(d => d.Message.ToArray()), again.Send.Select(d => d.Message.ToArray()));
            Assert.Empty(again.Events);
            Assert.Empty(client.Deliver(fragments[2]).Send);
        }
    }

    [Fact]
    public void Forged_fragment_is_dropped_before_it_is_kept_and_the_genuine_one_completes_the_message()
    {
        var (sa, client) = AfterSaInit(SmallFragments);
        using (sa)
        using (client)
        {
            var fragments = client.SealFragments(ExchangeType.IkeAuth, 1, BigCertificateAuth(client), 400);
            client.Deliver(fragments[0]);
            int held = sa.BufferedFragmentBytes;
            var forged = (byte[])fragments[1].Clone();
            forged[^5] ^= 0x01;
            var dropped = client.Deliver(forged);
            Assert.Equal(IkeDropReason.IntegrityFailure, dropped.Single<IkeMessageDropped>().Reason);
            Assert.Equal(held, sa.BufferedFragmentBytes);
            // A forged fragment claiming a different total must not reset the genuine reassembly either.
            var bogusTotal = (byte[])fragments[1].Clone();
            bogusTotal[28 + 6] = 0x7F; // total fragments field, high byte — the ICV covers it
            client.Deliver(bogusTotal).Single<IkeMessageDropped>();
            Assert.Equal(held, sa.BufferedFragmentBytes);

            IkeSaStep last = IkeSaStep.Nothing;
            foreach (var f in fragments.Skip(1))
                last = client.Deliver(f);
            last.Single<ChildSaEstablished>();
        }
    }

    [Fact]
    public void Fragments_above_the_count_bound_are_refused()
    {
        var (sa, client) = AfterSaInit(SmallFragments with { MaxFragments = 4 });
        using (sa)
        using (client)
        {
            var fragments = client.SealFragments(ExchangeType.IkeAuth, 1, BigCertificateAuth(client), 400);
            Assert.Equal(IkeDropReason.Malformed, client.Deliver(fragments[0]).Single<IkeMessageDropped>().Reason);
            Assert.Equal(0, sa.BufferedFragmentBytes);
        }
    }

    [Fact]
    public void Reassembly_restarts_when_the_sender_refragments_into_more_pieces()
    {
        var (sa, client) = AfterSaInit(SmallFragments);
        using (sa)
        using (client)
        {
            var payloads = BigCertificateAuth(client);
            var coarse = client.SealFragments(ExchangeType.IkeAuth, 1, payloads, 900);
            var fine = client.SealFragments(ExchangeType.IkeAuth, 1, payloads, 400);
            client.Deliver(coarse[0]);
            client.Deliver(coarse[1]);
            IkeSaStep last = IkeSaStep.Nothing;
            foreach (var f in fine)
                last = client.Deliver(f);
            last.Single<ChildSaEstablished>();
            // A late fragment of the coarse set (fewer in total) is ignored.
            Assert.Empty(client.Deliver(coarse[2]).Send);
        }
    }

    [Fact]
    public void Our_fragment_size_accounts_for_IP_UDP_and_the_non_ESP_marker()
    {
        Assert.Equal(1280 - 20 - 8, SkFragments.MaxMessageSize(1280, new(System.Net.IPAddress.Any, 500), new(System.Net.IPAddress.Loopback, 500)));
        Assert.Equal(1280 - 40 - 8 - 4, SkFragments.MaxMessageSize(1280, new(System.Net.IPAddress.IPv6Any, 4500), new(System.Net.IPAddress.IPv6Loopback, 4500)));
        Assert.Equal(1280 - 20 - 8 - 4, SkFragments.MaxMessageSize(1280, new(System.Net.IPAddress.IPv6Any, 4500),
            new(System.Net.IPAddress.Parse("::ffff:192.0.2.1"), 4500)));
    }

    // ---- strongSwan 5.9.8: fragmentation-cert (fragment_size = 512 on both ends) ----

    private static string Fixture(string file) =>
        Path.Combine(AppContext.BaseDirectory, "fixtures", "strongswan", "fragmentation-cert", file);

    private static byte[] Packet(int n) =>
        Convert.FromHexString(File.ReadAllText(Directory.GetFiles(Path.GetDirectoryName(Fixture("x"))!, $"{n:00}-*.hex").Single()).Trim());

    private static string Inner(int n) =>
        File.ReadAllText(Directory.GetFiles(Path.GetDirectoryName(Fixture("x"))!, $"{n:00}-*.inner").Single()).Trim();

    private static (ISkProtection FromInitiator, ISkProtection FromResponder, IkeSaKeys Keys) StrongSwanKeys()
    {
        var k = File.ReadAllLines(Fixture("keys.txt")).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        byte[] Hex(string key) => Convert.FromHexString(k[key]);
        var keys = IkeKeySchedule.DeriveIkeSaKeys(PseudorandomFunction.HmacSha2_256, Hex("shared_secret"), Hex("ni"), Hex("nr"),
            Hex("spi_i"), Hex("spi_r"), 32, 32);
        Assert.Equal(Hex("sk_ei"), keys.SkEi);
        Assert.Equal(Hex("sk_ar"), keys.SkAr);
        return (SkProtectionFactory.Create(EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128, keys.SkEi, keys.SkAi),
            SkProtectionFactory.Create(EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128, keys.SkEr, keys.SkAr), keys);
    }

    private static OpenedMessage Reassemble(InboundMessages reader, IEnumerable<int> packets, ISkProtection protection)
    {
        OpenedMessage? done = null;
        foreach (var n in packets)
        {
            var bytes = Packet(n);
            Assert.True(IkeHeader.TryParse(bytes, out var header, out _));
            var received = reader.Read(bytes, header, protection);
            Assert.Null(received.Dropped);
            if (received.Message is { } m)
            {
                Assert.Null(done); // exactly once
                done = m;
            }
        }
        return done ?? throw new Xunit.Sdk.XunitException("not reassembled");
    }

    [Fact]
    public void StrongSwan_fragments_reassemble_to_the_inner_payloads_charon_logged_in_any_order()
    {
        var (fromInitiator, fromResponder, keys) = StrongSwanKeys();
        using (fromInitiator)
        using (fromResponder)
        using (keys)
        {
            var reader = new InboundMessages(ResponderOptions.Default) { FragmentationNegotiated = true };
            var request = Reassemble(reader, [5, 3, 6, 3, 4], fromInitiator);
            Assert.Equal(Inner(3), IkeMessageDescription.Describe(IkeMessage.Parse(Packet(3)).Value!, request.Payloads));
            var response = Reassemble(reader, [7, 8, 9, 10], fromResponder);
            Assert.Equal(Inner(7), IkeMessageDescription.Describe(IkeMessage.Parse(Packet(7)).Value!, response.Payloads));
            Assert.Equal(0, reader.BufferedBytes);

            // A real fragment with one bit flipped fails its own integrity check.
            var forged = Packet(4);
            forged[^20] ^= 0x08;
            Assert.True(IkeHeader.TryParse(forged, out var h, out _));
            Assert.Equal(IkeDropReason.IntegrityFailure, reader.Read(forged, h, fromInitiator).Dropped);
        }
    }

    [Fact]
    public void Our_fragmentation_of_strongSwans_request_at_its_fragment_size_gives_its_fragment_sizes()
    {
        var (fromInitiator, fromResponder, keys) = StrongSwanKeys();
        using (fromInitiator)
        using (fromResponder)
        using (keys)
        {
            var reader = new InboundMessages(ResponderOptions.Default) { FragmentationNegotiated = true };
            var request = Reassemble(reader, [3, 4, 5, 6], fromInitiator);
            var header = IkeMessage.Parse(Packet(3)).Value!.Header;
            // strongSwan's fragment_size = 512 is the IP datagram; the capture ran on port 4500 over IPv4.
            int max = SkFragments.MaxMessageSize(512, new(System.Net.IPAddress.Parse("10.99.1.1"), 4500), new(System.Net.IPAddress.Parse("10.99.1.2"), 43827));
            using var sealer = SkProtectionFactory.Create(EncryptionAlgorithm.AesCbc, 256, IntegrityAlgorithm.HmacSha2_256_128, keys.SkEi, keys.SkAi);
            var ours = SkFragments.Seal(header with { NextPayload = PayloadType.None, Length = 0 }, request.Payloads, sealer, max);
            Assert.Equal(new[] { 3, 4, 5, 6 }.Select(n => Packet(n).Length), ours.Select(f => f.Length));
            // And strongSwan's own reader (ours, here) gets back the same payloads from them.
            var again = new InboundMessages(ResponderOptions.Default) { FragmentationNegotiated = true };
            OpenedMessage? whole = null;
            foreach (var f in ours)
            {
                Assert.True(IkeHeader.TryParse(f, out var h, out _));
                whole = again.Read(f, h, fromInitiator).Message ?? whole;
            }
            Assert.Equal(request.Plaintext, whole!.Plaintext);
        }
    }
}
