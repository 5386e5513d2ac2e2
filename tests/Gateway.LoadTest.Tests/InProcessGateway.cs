using System.Net;
using System.Text;
using Gateway.Core.IkeSa;
using Gateway.Core.Initiator;
using Gateway.Core.Policy;
using Gateway.Core.Transport;
using Gateway.Crypto.X509;
using Gateway.Ike;

namespace Gateway.LoadTest.Tests;

/// <summary>A development PKI made once per test run (RSA key generation is slow).</summary>
internal static class Pki
{
    public const string GatewayName = "vpn.example.com";
    private static readonly Lazy<IssuedCertificate> LazyCa = new(() => DevelopmentPki.CreateRootCa("LoadTest Root CA"));
    private static readonly Lazy<IssuedCertificate> LazyOtherCa = new(() => DevelopmentPki.CreateRootCa("Someone Else's CA"));
    private static readonly Lazy<IssuedCertificate> LazyGateway = new(() => DevelopmentPki.IssueGatewayCertificate(Ca, GatewayName));
    private static readonly Lazy<IssuedCertificate> LazyClient = new(() => DevelopmentPki.IssueClientCertificate(Ca, "client.example.com"));

    public static IssuedCertificate Ca => LazyCa.Value;
    public static IssuedCertificate OtherCa => LazyOtherCa.Value;
    public static IssuedCertificate GatewayCert => LazyGateway.Value;
    public static IssuedCertificate Client => LazyClient.Value;
}

/// <summary>
/// Our responder machines behind a tiny in-process "ingress": IKE_SA_INIT creates a responder, later messages go by
/// responder SPI. Optionally answers the first IKE_SA_INIT with N(COOKIE) only, as the DoS gate does under load.
/// </summary>
internal sealed class InProcessGateway : IDisposable
{
    public const string PskIdentity = "site1.example";
    public static readonly byte[] Psk = Encoding.ASCII.GetBytes("correct horse battery staple");
    public const string EapUser = "alice";
    public const string EapPassword = "alice-pw";
    public static readonly IPEndPoint Address = new(IPAddress.Parse("198.51.100.1"), 500);
    public static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.10"), 50000);

    private readonly Dictionary<ulong, IkeSaResponder> _byResponderSpi = [];
    private readonly Dictionary<ulong, IkeSaResponder> _byInitiatorSpi = [];
    private readonly GatewayPolicy _policy;
    private readonly InMemoryResponderServices _services;

    public InProcessGateway(string[]? ike = null, IssuedCertificate? certificate = null)
    {
        _policy = new GatewayPolicy
        {
            Identity = Pki.GatewayName,
            Certificate = (certificate ?? Pki.GatewayCert).Certificate,
            CertificateChain = [],
            TrustedCas = [Pki.Ca.Certificate],
            IkeProposals = (ike ?? ["aes256-sha256-modp2048", "aes128gcm16-prfsha256-x25519", "aes256-sha256-ecp256", "3des-sha1-modp1024", "aes256-sha1-modp1024"])
                .Select((p, i) => ProposalSyntax.Parse(p, ProtocolId.Ike, (byte)(i + 1)).Proposal!).ToList(),
            EspProposals = new[] { "aes256gcm16", "aes128gcm16", "aes256-sha256", "aes256-sha1", "aes128-sha1" }
                .Select((p, i) => ProposalSyntax.Parse(p, ProtocolId.Esp, (byte)(i + 1)).Proposal!).ToList(),
            Pools = new AddressPools(IPNetwork.Parse("10.77.0.0/24"), IPNetwork.Parse("fd77::/120"), [IPAddress.Parse("10.10.0.53")]),
            ProtectedSubnets = [IPNetwork.Parse("10.10.0.0/24")],
            EapUsers = new Dictionary<string, string> { [EapUser] = EapPassword },
            PreSharedKeys = new Dictionary<string, byte[]> { [PskIdentity] = Psk },
        };
        _services = new InMemoryResponderServices(_policy.Pools);
    }

    public bool RequireCookie { get; init; }
    public List<IkeSaEvent> Events { get; } = [];
    private readonly Dictionary<ulong, byte[]> _cookieNonce = [];

    /// <summary>Like a real cookie (RFC 7296 §2.6) it is bound to Ni: a retry must carry it and the same nonce.</summary>
    private bool CookieValid(IkeHeader header, byte[] message)
    {
        var parsed = IkeMessage.Parse(message).Value!;
        var nonce = parsed.Find<NoncePayload>()!.Data.ToArray();
        if (!_cookieNonce.TryGetValue(header.InitiatorSpi, out var expected))
        {
            _cookieNonce[header.InitiatorSpi] = nonce;
            return false;
        }
        return parsed.FindNotify(NotifyType.Cookie) is not null && expected.AsSpan().SequenceEqual(nonce);
    }

    /// <summary>Timer keys the responders asked for (the test fires them to make the gateway rekey).</summary>
    public List<string> Timers { get; } = [];

    /// <summary>A datagram from the initiator at <paramref name="from"/> (default: <see cref="Client"/>).</summary>
    public IReadOnlyList<IkeDatagram> Handle(InitiatorDatagram datagram, DateTime now, IPEndPoint? from = null)
    {
        if (!IkeHeader.TryParse(datagram.Message, out var header, out _))
            return [];
        var local = new IPEndPoint(Address.Address, datagram.To.Port);
        IkeSaResponder? responder;
        if (header.ResponderSpi == 0)
        {
            if (RequireCookie && !CookieValid(header, datagram.Message))
                return [CookieAnswer(header, local)];
            if (!_byInitiatorSpi.TryGetValue(header.InitiatorSpi, out responder))
            {
                responder = new IkeSaResponder(BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) | 1,
                    _policy, _services);
                _byInitiatorSpi[header.InitiatorSpi] = responder;
                _byResponderSpi[responder.ResponderSpi] = responder;
            }
        }
        else if (!_byResponderSpi.TryGetValue(header.ResponderSpi, out responder) &&
                 !_byResponderSpi.TryGetValue(header.InitiatorSpi, out responder)) // an SA the gateway rekeyed: its SPI first
            return [];
        return Record(responder, responder.Handle(new MessageReceived(new IkeDatagram(datagram.Message, local, from ?? Client), now)), header);
    }

    /// <summary>Fires a responder timer (e.g. its child rekey) on the only SA; returns what it sends.</summary>
    public IReadOnlyList<IkeDatagram> Fire(string timerKey, DateTime now)
    {
        var responder = _byInitiatorSpi.Values.Single();
        return Record(responder, responder.Handle(new TimerFired(timerKey, now)), null);
    }

    /// <summary>The only SA's responder.</summary>
    public IkeSaResponder Only => _byInitiatorSpi.Values.Single();

    /// <summary>
    /// A node failover of the only SA: its snapshot as the journal stores it (<paramref name="persisted"/> sets what the
    /// last save held, e.g. the inbound marks), through the state serializer, restored on a fresh node and resumed.
    /// Returns the resumed step (its events are recorded too).
    /// </summary>
    public IkeSaStep Failover(Func<IkeSaSnapshot, IkeSaSnapshot> persisted, DateTime now)
    {
        var old = _byInitiatorSpi.Values.Single();
        var keys = new Gateway.Core.Persistence.StateKeyRing(Gateway.Core.Persistence.StateKey.Generate());
        var blob = Gateway.Core.Persistence.SessionStateSerializer.Encode(
            new Gateway.Core.Persistence.IkeSaStateSaved(persisted(old.TryExportSnapshot()!)), keys);
        old.Dispose();
        var snapshot = ((Gateway.Core.Persistence.IkeSaStateSaved)Gateway.Core.Persistence.SessionStateSerializer.Decode(blob, keys)).Snapshot;
        var resumed = IkeSaResponder.Restore(snapshot, _policy, new InMemoryResponderServices(_policy.Pools));
        foreach (var spi in _byInitiatorSpi.Where(e => e.Value == old).Select(e => e.Key).ToList())
            _byInitiatorSpi[spi] = resumed;
        foreach (var spi in _byResponderSpi.Where(e => e.Value == old).Select(e => e.Key).ToList())
            _byResponderSpi[spi] = resumed;
        var step = resumed.Handle(new SaResumed(now));
        Record(resumed, step, null);
        return step;
    }

    private IReadOnlyList<IkeDatagram> Record(IkeSaResponder responder, IkeSaStep step, IkeHeader? header)
    {
        Events.AddRange(step.Events);
        Timers.AddRange(step.Timers.Where(t => t.After is not null).Select(t => t.Key));
        foreach (var rekeyed in step.Events.OfType<IkeSaRekeyed>())
            _byResponderSpi[rekeyed.LocalIsOriginalInitiator ? rekeyed.NewInitiatorSpi : rekeyed.NewResponderSpi] = responder; // the new SA's SPI
        if (step.Terminated && header is { } h)
        {
            // As the ingress: a closed SA is gone (after INVALID_KE the initiator starts over with the same SPI).
            _byInitiatorSpi.Remove(h.InitiatorSpi);
            _byResponderSpi.Remove(responder.ResponderSpi);
        }
        return step.Send;
    }

    private static IkeDatagram CookieAnswer(IkeHeader request, IPEndPoint local)
    {
        var header = IkeHeader.Create(request.InitiatorSpi, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, 0);
        var message = IkeMessage.Create(header, [NotifyPayload.Create(NotifyType.Cookie, new byte[16])]).ToArray();
        return new IkeDatagram(message, local, Client);
    }

    /// <summary>Runs the initiator's step and every answer to completion; returns all events of the initiator.</summary>
    public List<InitiatorEvent> Drive(IkeInitiator initiator, InitiatorStep first, DateTime now) =>
        Drive(initiator, first, [], now);

    /// <summary>As <see cref="Drive(IkeInitiator, InitiatorStep, DateTime)"/>, after handing the initiator <paramref name="fromGateway"/> first.</summary>
    public List<InitiatorEvent> Drive(IkeInitiator initiator, InitiatorStep first, IReadOnlyList<IkeDatagram> fromGateway, DateTime now)
    {
        var events = new List<InitiatorEvent>(first.Events);
        var queue = new Queue<InitiatorDatagram>(first.Send);
        foreach (var request in fromGateway)
        {
            var step = initiator.Receive(request.Message, now);
            events.AddRange(step.Events);
            foreach (var d in step.Send)
                queue.Enqueue(d);
        }
        while (queue.Count > 0)
        {
            foreach (var answer in Handle(queue.Dequeue(), now, initiator.Local))
            {
                var step = initiator.Receive(answer.Message, now);
                events.AddRange(step.Events);
                foreach (var d in step.Send)
                    queue.Enqueue(d);
            }
        }
        return events;
    }

    public static InitiatorSettings Settings(IReadOnlyList<string> ike, IReadOnlyList<string> esp, InitiatorCredentials credentials,
        bool mobike = true, bool fragmentation = false) => new()
    {
        IkeProposals = ike,
        EspProposals = esp,
        Credentials = credentials,
        Local = Client,
        Gateway = Address,
        Mobike = mobike,
        Fragmentation = fragmentation,
    };

    public void Dispose()
    {
        foreach (var r in _byResponderSpi.Values.Distinct())
            r.Dispose();
    }
}
