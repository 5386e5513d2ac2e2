using System.Net;
using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// One tunnel from the client's side, as a pure state machine: <see cref="Start"/>, <see cref="Receive"/> and
/// <see cref="Tick"/> (and <see cref="Close"/>) each return an <see cref="InitiatorStep"/> — datagrams to send, events,
/// the next deadline. No I/O and no clock reads: the shell owns sockets and time, so the machine runs the same in
/// tests against the in-process responder and in the load tester against real gateways.
/// Window size 1 (one request of ours outstanding), like Windows and strongSwan clients.
/// </summary>
public sealed partial class IkeInitiator : IDisposable
{
    private const int MaxCookieRounds = 3;
    private const int MaxKeRounds = 2;

    private readonly InitiatorSettings _settings;
    private readonly List<Proposal> _ikeProposals;
    private readonly List<InitiatorEvent> _events = [];
    private readonly List<InitiatorDatagram> _send = [];

    private IPEndPoint _gateway;
    private IPEndPoint _local;
    private bool _natTraversal;
    private bool _redirected;
    private IPEndPoint? _redirectedFrom;
    private DateTime _startedAt;
    private int _roundTrips;

    // IKE_SA_INIT state (RFC 7296 §1.2, §2.6 cookies, §1.3 INVALID_KE_PAYLOAD).
    private KeyExchangeGroup _group;
    private IKeyExchange? _ke;
    private byte[] _nonceI = [];
    private byte[]? _cookie;
    private int _cookieRounds;
    private int _keRounds;
    private byte[] _initRequest = [];

    private InitiatorSa? _sa;
    private HandshakeOctets? _octets;
    private bool _fragmentation;

    // Our requests (window 1): what was last sent, for retransmission until its answer.
    private uint _nextMessageId;
    private uint _awaitedId;
    private IReadOnlyList<InitiatorDatagram> _outstanding = [];
    private int _sends;
    private DateTime? _deadline;

    public IkeInitiator(InitiatorSettings settings, ulong? initiatorSpi = null)
    {
        if (settings.Local.Port == 0)
            throw new ArgumentException("the local port must be bound (NAT-D hashes it)", nameof(settings));
        _settings = settings;
        _gateway = settings.Gateway;
        _local = settings.Local;
        _ikeProposals = settings.IkeProposals.Select((p, i) => ParseProposal(p, ProtocolId.Ike, i)).ToList();
        _espProposals = settings.EspProposals.Select((p, i) => ParseProposal(p, ProtocolId.Esp, i)).ToList();
        SpiI = initiatorSpi ?? NewIkeSpi();
        _group = (KeyExchangeGroup)_ikeProposals[0].OfType(TransformType.KeyExchange).First().Id;
    }

    /// <summary>The current IKE SA's SPIs as its headers carry them (after a rekey by the gateway, SPIi is the gateway's).</summary>
    public ulong SpiI { get; private set; }
    public ulong SpiR { get; private set; }

    /// <summary>Our SPI of the current IKE SA: what the shell routes the gateway's messages by.</summary>
    public ulong LocalSpi => _originalInitiator ? SpiI : SpiR;

    /// <summary>Where we send from now (changes with <see cref="MoveTo"/>).</summary>
    public IPEndPoint Local => _local;
    public InitiatorPhase Phase { get; private set; } = InitiatorPhase.Idle;

    /// <summary>Where the gateway is now (changes on a redirect).</summary>
    public IPEndPoint Gateway => _gateway;

    /// <summary>True once IKE runs on port 4500 with the non-ESP marker.</summary>
    public bool NatTraversal => _natTraversal;

    private static Proposal ParseProposal(string text, ProtocolId protocol, int index) =>
        ProposalSyntax.Parse(text, protocol, (byte)(index + 1)) is { Proposal: { } p }
            ? p : throw new ArgumentException($"bad {protocol} proposal '{text}'");

    /// <summary>Sends IKE_SA_INIT.</summary>
    public InitiatorStep Start(DateTime now)
    {
        if (Phase != InitiatorPhase.Idle)
            return InitiatorStep.Nothing;
        _startedAt = now;
        SendSaInit(now);
        return Flush();
    }

    /// <summary>A datagram from the gateway (without the non-ESP marker).</summary>
    public InitiatorStep Receive(ReadOnlyMemory<byte> message, DateTime now)
    {
        if (!IkeHeader.TryParse(message.Span, out var header, out _))
            return InitiatorStep.Nothing;
        if (_retired is { } old && header.InitiatorSpi == old.SpiI && header.ResponderSpi == old.SpiR)
        {
            OnRetiredSaMessage(message, header, old);
            return Flush();
        }
        if (header.InitiatorSpi != SpiI)
            return InitiatorStep.Nothing;
        if (_sa is not null && header.IsInitiator == _originalInitiator)
            return InitiatorStep.Nothing; // our own kind of message reflected back, or another SA's
        if (header.IsResponse)
        {
            if (Phase == InitiatorPhase.SaInit && header.ExchangeType == ExchangeType.IkeSaInit && header.MessageId == 0)
                OnSaInitResponse(message, now);
            else if (_outstanding.Count > 0 && header.MessageId == _awaitedId && header.ResponderSpi == SpiR && _sa is not null)
                OnEncryptedResponse(message, header, now);
        }
        else if (_sa is not null && header.ResponderSpi == SpiR)
            OnGatewayRequest(message, header, now);
        return Flush();
    }

    /// <summary>Time has passed: retransmit the outstanding request, or give up on it.</summary>
    public InitiatorStep Tick(DateTime now)
    {
        if (_deadline is not { } deadline || now < deadline || _outstanding.Count == 0)
            return Flush();
        if (_sends < _settings.RetransmitWaits.Count)
        {
            _send.AddRange(_outstanding);
            _deadline = now + _settings.RetransmitWaits[_sends];
            _sends++;
        }
        else if (Phase == InitiatorPhase.Deleting)
            Finish(InitiatorPhase.Closed, new TunnelClosed(false));
        else if (Phase == InitiatorPhase.Established)
            Finish(InitiatorPhase.Closed, new ExchangeFailed(_exchange, $"no answer to {DescribeOutstanding()} after {_sends} sends", SaLost: true));
        else
            Fail(InitiatorFailure.Timeout, $"no answer to {DescribeOutstanding()} after {_sends} sends");
        return Flush();
    }

    private string DescribeOutstanding() => Phase switch
    {
        InitiatorPhase.SaInit => "IKE_SA_INIT",
        InitiatorPhase.Auth => $"IKE_AUTH #{_awaitedId}",
        InitiatorPhase.Established => $"{_exchange} #{_awaitedId}",
        _ => $"request #{_awaitedId}",
    };

    // ---- IKE_SA_INIT ----

    private void SendSaInit(DateTime now)
    {
        Phase = InitiatorPhase.SaInit;
        // The same Ni and KE on a cookie retry: the gateway's cookie covers Ni (RFC 7296 §2.6), so a fresh nonce
        // would earn a fresh cookie forever. A new KE only for a new group (INVALID_KE_PAYLOAD).
        if (_ke is null || _ke.Group != _group)
        {
            _ke?.Dispose();
            _ke = KeyExchangeFactory.Create(_group);
        }
        if (_nonceI.Length == 0)
            _nonceI = RandomNumberGenerator.GetBytes(32);
        var offered = ProposalsFor(_group);
        var payloads = InitiatorKeying.SaInitPayloads(offered, _group, _ke.PublicKey, _nonceI, SpiI, _local, _gateway,
            _settings.Fragmentation, signatureHashes: true, redirectSupport: _settings.RedirectSupport && !_redirected);
        if (_redirectedFrom is not null)
            payloads.Add(NotifyPayload.Redirect(GatewayIdentity.FromAddress(_redirectedFrom.Address), [], NotifyType.RedirectedFrom));
        if (_cookie is not null)
            payloads.Insert(0, NotifyPayload.Create(NotifyType.Cookie, _cookie)); // first, RFC 7296 §2.6
        var header = IkeHeader.Create(SpiI, 0, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0);
        _initRequest = IkeMessage.Create(header, payloads).ToArray();
        _awaitedId = 0;
        SendRequest([Datagram(_initRequest)], now);
    }

    /// <summary>
    /// Our proposals with the group we send a KE for moved into first place: a responder that takes the first
    /// acceptable proposal then needs no INVALID_KE_PAYLOAD round after a retry (RFC 7296 §1.2).
    /// </summary>
    private List<Proposal> ProposalsFor(KeyExchangeGroup group)
    {
        var withGroup = _ikeProposals.Where(p => p.OfType(TransformType.KeyExchange).Any(t => t.Id == (ushort)group));
        var rest = _ikeProposals.Where(p => !p.OfType(TransformType.KeyExchange).Any(t => t.Id == (ushort)group));
        return withGroup.Concat(rest).Select((p, i) => p with { Number = (byte)(i + 1) }).ToList();
    }

    private void OnSaInitResponse(ReadOnlyMemory<byte> message, DateTime now)
    {
        var parsed = IkeMessage.Parse(message.Span);
        if (!parsed.IsSuccess)
            return; // garbage is dropped; the retransmission timer runs on
        var response = parsed.Value!;
        _roundTrips++;
        if (response.FindNotify(NotifyType.Cookie) is { } cookie && response.Find<KeyExchangePayload>() is null)
        {
            if (++_cookieRounds > MaxCookieRounds)
            {
                Fail(InitiatorFailure.CookieLoop, $"gateway asked for a cookie {_cookieRounds} times");
                return;
            }
            _cookie = cookie.Data.ToArray();
            _events.Add(new CookieRequested());
            SendSaInit(now);
            return;
        }
        if (response.FindNotify(NotifyType.InvalidKePayload) is { } invalidKe)
        {
            if (!invalidKe.TryGetInvalidKeGroup(out var wanted) || ++_keRounds > MaxKeRounds ||
                !_ikeProposals.Any(p => p.OfType(TransformType.KeyExchange).Any(t => t.Id == (ushort)wanted)) ||
                !KeyExchangeFactory.IsSupported(wanted))
            {
                Fail(InitiatorFailure.InvalidKeLoop, $"gateway wants group {wanted}, which we did not offer or already tried");
                return;
            }
            _group = wanted;
            _events.Add(new KeGroupRequested(wanted));
            SendSaInit(now);
            return;
        }
        if (response.FindNotify(NotifyType.Redirect) is { } redirect)
        {
            FollowRedirect(redirect, now);
            return;
        }
        if (ErrorNotify(response.Payloads) is { } error)
        {
            FailWithNotify(error);
            return;
        }
        SpiR = response.Header.ResponderSpi;
        _sa = InitiatorKeying.Derive(response, _ikeProposals, _ke!, _nonceI, out var nonceR, out var problem);
        if (_sa is null)
        {
            Fail(InitiatorFailure.Protocol, "IKE_SA_INIT response: " + problem);
            return;
        }
        _octets = new HandshakeOctets(_sa.Prf, _initRequest, message.ToArray(), _nonceI, nonceR, _sa.Keys.SkPi, _sa.Keys.SkPr);
        _ke!.Dispose();
        _ke = null;
        _fragmentation = _settings.Fragmentation && response.FindNotify(NotifyType.Ikev2FragmentationSupported) is not null;
        // RFC 7296 §2.23: behind a NAT, float to 4500 now; RFC 4555 §3.3: with MOBIKE, always.
        bool behindNat = InitiatorKeying.BehindNat(response, _local);
        if ((behindNat || _settings.Mobike) && _gateway.Port == IkePorts.Ike)
        {
            _gateway = new IPEndPoint(_gateway.Address, IkePorts.NatTraversal);
            _natTraversal = true;
        }
        else if (_gateway.Port == IkePorts.NatTraversal)
            _natTraversal = true;
        _nextMessageId = 1;
        Phase = InitiatorPhase.Auth;
        SendFirstAuth(now);
    }

    private void FollowRedirect(NotifyPayload redirect, DateTime now)
    {
        if (_redirected)
        {
            Fail(InitiatorFailure.RedirectLoop, "redirected a second time");
            return;
        }
        if (!redirect.TryGetRedirect(out var identity, out _) ||
            identity.Type is not (GatewayIdentityType.Ipv4Address or GatewayIdentityType.Ipv6Address) ||
            identity.Value.Length is not (4 or 16))
        {
            Fail(InitiatorFailure.Protocol, $"redirect to an unusable gateway identity ({identity.Type})");
            return;
        }
        var target = new IPEndPoint(new IPAddress(identity.Value.Span), IkePorts.Ike);
        _redirected = true;
        _redirectedFrom = _settings.Gateway;
        _events.Add(new RedirectFollowed(target));
        // A fresh IKE SA with the new gateway (RFC 5685 §6): new SPI, no cookie, our preferred group again.
        ResetSa();
        _gateway = target;
        _natTraversal = false;
        SpiI = NewIkeSpi();
        SpiR = 0;
        _cookie = null;
        _nonceI = [];
        _ke?.Dispose();
        _ke = null;
        _cookieRounds = 0;
        _keRounds = 0;
        SendSaInit(now);
    }

    private void ResetSa()
    {
        _sa?.Dispose();
        _sa = null;
        _octets = null;
        _eap = null;
        _outstanding = [];
        _deadline = null;
    }

    // ---- sending, failing, finishing ----

    private InitiatorDatagram Datagram(byte[] message) => new(message, _gateway, _natTraversal);

    private void SendRequest(IReadOnlyList<InitiatorDatagram> datagrams, DateTime now)
    {
        _outstanding = datagrams;
        _send.AddRange(datagrams);
        _sends = 1;
        _deadline = now + _settings.RetransmitWaits[0];
    }

    private static NotifyPayload? ErrorNotify(IEnumerable<Payload> payloads) =>
        payloads.OfType<NotifyPayload>().FirstOrDefault(n => (ushort)n.NotifyType < 16384);

    private void FailWithNotify(NotifyPayload notify)
    {
        var reason = notify.NotifyType switch
        {
            NotifyType.NoProposalChosen => InitiatorFailure.NoProposalChosen,
            NotifyType.AuthenticationFailed => InitiatorFailure.AuthenticationFailed,
            NotifyType.TsUnacceptable => InitiatorFailure.TsUnacceptable,
            NotifyType.InternalAddressFailure => InitiatorFailure.InternalAddressFailure,
            _ => InitiatorFailure.ErrorNotify,
        };
        Fail(reason, notify.NotifyType.ToString());
    }

    private void Fail(InitiatorFailure reason, string detail) => Finish(InitiatorPhase.Failed, new TunnelFailed(reason, detail));

    private void Finish(InitiatorPhase phase, InitiatorEvent final)
    {
        Phase = phase;
        _outstanding = [];
        _deadline = null;
        _events.Add(final);
    }

    private InitiatorStep Flush()
    {
        if (_send.Count == 0 && _events.Count == 0)
            return new InitiatorStep([], [], _deadline);
        var step = new InitiatorStep(_send.ToArray(), _events.ToArray(), _deadline);
        _send.Clear();
        _events.Clear();
        return step;
    }

    public void Dispose()
    {
        _ke?.Dispose();
        _sa?.Dispose();
        _retired?.Sa.Dispose();
        _child?.Keys.Dispose();
        _oldChild?.Keys.Dispose();
        _exchangeKe?.Dispose();
    }

    public override string ToString() => $"IkeInitiator({SpiI:x16}/{SpiR:x16}, {Phase}, gateway={_gateway})";
}
