using System.Net;
using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// Our exchanges on an established SA, one at a time (window 1): child SA rekey (RFC 7296 §1.3.3) followed by the
/// old child's Delete, IKE SA rekey (§1.3.2, §2.18), and MOBIKE's UPDATE_SA_ADDRESSES from a new local address
/// (RFC 4555 §3.5). Each returns nothing when another exchange is outstanding; the shell tries again later.
/// </summary>
public sealed partial class IkeInitiator
{
    private bool _originalInitiator = true;
    private bool _peerMobike;
    private InitiatorExchange _exchange;
    private DateTime _exchangeStarted;
    private byte[] _exchangeNonce = [];
    private uint _exchangeChildSpi;
    private ulong _exchangeIkeSpi;
    private IKeyExchange? _exchangeKe;
    private byte[]? _cookie2;
    private EstablishedChildSa? _oldChild;
    private RetiredIkeSa? _retired;

    /// <summary>An IKE SA replaced by a rekey, kept until its Delete is answered (ours) or received (the gateway's).</summary>
    private sealed record RetiredIkeSa(InitiatorSa Sa, ulong SpiI, ulong SpiR, bool OriginalInitiator, ulong LocalSpi);

    /// <summary>Established, and no request of ours outstanding.</summary>
    public bool CanStartExchange => Phase == InitiatorPhase.Established && _outstanding.Count == 0;

    /// <summary>Both sides announced MOBIKE_SUPPORTED, so <see cref="MoveTo"/> may be used.</summary>
    public bool MobikeAgreed => _settings.Mobike && _peerMobike;

    /// <summary>The child SA in use (null before the handshake finished).</summary>
    public EstablishedChildSa? Child => _child;

    /// <summary>Rekeys the child SA: CREATE_CHILD_SA with N(REKEY_SA), then Delete of the old one once the new one is up.</summary>
    public InitiatorStep RekeyChild(DateTime now)
    {
        if (!CanStartExchange || _child is null)
            return Flush();
        _exchangeChildSpi = NewChildSpi();
        _exchangeNonce = RandomNumberGenerator.GetBytes(32);
        var child = ChildPayloads(_exchangeChildSpi).ToList(); // SA, TSi, TSr
        List<Payload> payloads =
        [
            NotifyPayload.CreateForChild(NotifyType.RekeySa, ProtocolId.Esp, _child.InboundSpi),
            child[0],
            new NoncePayload(_exchangeNonce),
            .. child.Skip(1),
        ];
        StartExchange(InitiatorExchange.ChildRekey, ExchangeType.CreateChildSa, payloads, now);
        return Flush();
    }

    /// <summary>Rekeys the IKE SA with the suite in use and a fresh KE; the old SA is deleted once the new one is up.</summary>
    public InitiatorStep RekeyIkeSa(DateTime now)
    {
        if (!CanStartExchange)
            return Flush();
        var selected = _sa!.Selected;
        var group = (KeyExchangeGroup)selected.OfType(TransformType.KeyExchange).First().Id;
        _exchangeIkeSpi = NewIkeSpi();
        _exchangeNonce = RandomNumberGenerator.GetBytes(32);
        _exchangeKe?.Dispose();
        _exchangeKe = KeyExchangeFactory.Create(group);
        var offered = new Proposal(1, ProtocolId.Ike, InitiatorKeying.Spi64(_exchangeIkeSpi), selected.Transforms);
        StartExchange(InitiatorExchange.IkeRekey, ExchangeType.CreateChildSa,
            [new SecurityAssociationPayload([offered]), new NoncePayload(_exchangeNonce), new KeyExchangePayload(group, _exchangeKe.PublicKey)], now);
        return Flush();
    }

    /// <summary>
    /// MOBIKE: we now send from <paramref name="local"/> (the shell switched sockets); tells the gateway with
    /// UPDATE_SA_ADDRESSES, fresh NAT-D hashes and a COOKIE2 it must echo (RFC 4555 §3.5, §3.8).
    /// </summary>
    public InitiatorStep MoveTo(IPEndPoint local, DateTime now)
    {
        if (!CanStartExchange || !MobikeAgreed)
            return Flush();
        _local = local;
        _cookie2 = RandomNumberGenerator.GetBytes(16);
        StartExchange(InitiatorExchange.AddressUpdate, ExchangeType.Informational,
        [
            NotifyPayload.Create(NotifyType.UpdateSaAddresses),
            NotifyPayload.NatDetection(true, NotifyPayload.ComputeNatDetectionHash(SpiI, SpiR, local.Address, (ushort)local.Port)),
            NotifyPayload.NatDetection(false, NotifyPayload.ComputeNatDetectionHash(SpiI, SpiR, _gateway.Address, (ushort)_gateway.Port)),
            NotifyPayload.Create(NotifyType.Cookie2, _cookie2),
        ], now);
        return Flush();
    }

    private void StartExchange(InitiatorExchange exchange, ExchangeType type, IReadOnlyList<Payload> payloads, DateTime now)
    {
        _exchange = exchange;
        _exchangeStarted = now;
        SendEncryptedRequest(type, payloads, now);
    }

    private void OnExchangeResponse(IReadOnlyList<Payload> payloads, DateTime now)
    {
        var exchange = _exchange;
        if (ErrorNotify(payloads) is { } error)
        {
            _events.Add(new ExchangeFailed(exchange, error.NotifyType.ToString(), SaLost: false));
            return;
        }
        switch (exchange)
        {
            case InitiatorExchange.ChildRekey:
                OnChildRekeyed(payloads, now);
                break;
            case InitiatorExchange.IkeRekey:
                OnIkeRekeyed(payloads, now);
                break;
            case InitiatorExchange.AddressUpdate:
                if (payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.Cookie2) is not { } echo ||
                    !echo.Data.Span.SequenceEqual(_cookie2))
                    _events.Add(new ExchangeFailed(exchange, "COOKIE2 not echoed", SaLost: false));
                else
                    _events.Add(new ExchangeDone(exchange, now - _exchangeStarted));
                break;
            case InitiatorExchange.ChildDelete:
                if (_oldChild is { } old)
                    _events.Add(new ChildSaRetired(old.InboundSpi));
                _events.Add(new ExchangeDone(exchange, now - _exchangeStarted));
                break;
        }
    }

    private void OnChildRekeyed(IReadOnlyList<Payload> payloads, DateTime now)
    {
        var nonceR = payloads.OfType<NoncePayload>().FirstOrDefault()?.Data.ToArray();
        if (nonceR is null || ChildFrom(payloads, _exchangeChildSpi, _exchangeNonce, nonceR, [], weInitiated: true) is not { } fresh)
        {
            _events.Add(new ExchangeFailed(InitiatorExchange.ChildRekey, "answer without an acceptable child SA", SaLost: false));
            return;
        }
        var old = ReplaceChild(fresh);
        _events.Add(new ChildSaReplaced(old, fresh, ByGateway: false));
        _events.Add(new ExchangeDone(InitiatorExchange.ChildRekey, now - _exchangeStarted));
        StartExchange(InitiatorExchange.ChildDelete, ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [old.InboundSpi])], now);
    }

    /// <summary>The new child becomes current; the one it replaces is kept (for inbound) until deleted, the one before goes.</summary>
    private EstablishedChildSa ReplaceChild(EstablishedChildSa fresh)
    {
        var old = _child!;
        _oldChild?.Keys.Dispose();
        _oldChild = old;
        _child = fresh;
        return old;
    }

    private void OnIkeRekeyed(IReadOnlyList<Payload> payloads, DateTime now)
    {
        var ke = _exchangeKe!;
        if (payloads.OfType<SecurityAssociationPayload>().FirstOrDefault() is not { Proposals: [var chosen] } ||
            chosen.Protocol != ProtocolId.Ike || chosen.Spi.Length != 8 || !InitiatorKeying.Offers(_sa!.Selected, chosen) ||
            payloads.OfType<KeyExchangePayload>().FirstOrDefault() is not { } theirKe || theirKe.Group != ke.Group ||
            payloads.OfType<NoncePayload>().FirstOrDefault() is not { } nonce ||
            !ke.TryComputeSharedSecret(theirKe.Data.Span, out var secret, out _))
        {
            _events.Add(new ExchangeFailed(InitiatorExchange.IkeRekey, "answer without an acceptable IKE SA", SaLost: false));
            return;
        }
        ulong peerSpi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        var fresh = InitiatorKeying.Rekeyed(_sa, chosen, secret, _exchangeNonce, nonce.Data.ToArray(), _exchangeIkeSpi, peerSpi, weAreInitiator: true);
        CryptographicOperations.ZeroMemory(secret);
        _exchangeKe = null;
        ke.Dispose();
        // The old SA's Delete (RFC 7296 §2.18: the rekey's initiator deletes it) goes out once, not retransmitted: the
        // new SA carries on either way, and the old one is given up at the next rekey if its answer never comes.
        _send.AddRange(Seal(ExchangeType.Informational, _nextMessageId, [new DeletePayload(ProtocolId.Ike, [])], response: false).Select(Datagram));
        ulong oldLocal = LocalSpi;
        SwitchIkeSa(fresh, _exchangeIkeSpi, peerSpi, originalInitiator: true);
        _events.Add(new IkeSaReplaced(oldLocal, LocalSpi, ByGateway: false));
        _events.Add(new ExchangeDone(InitiatorExchange.IkeRekey, now - _exchangeStarted));
    }

    /// <summary>Makes a rekeyed SA current: new SPIs and keys, message IDs from 0 both ways (RFC 7296 §2.18).</summary>
    private void SwitchIkeSa(InitiatorSa fresh, ulong spiI, ulong spiR, bool originalInitiator)
    {
        if (_outstanding.Count > 0 && _exchange != InitiatorExchange.IkeRekey)
            _events.Add(new ExchangeFailed(_exchange, "the IKE SA was rekeyed meanwhile", SaLost: false)); // its answer would come on the old SA
        _outstanding = [];
        _deadline = null;
        RetireOldSa(); // a previous one still waiting for its Delete is given up
        _retired = new RetiredIkeSa(_sa!, SpiI, SpiR, _originalInitiator, LocalSpi);
        _sa = fresh;
        SpiI = spiI;
        SpiR = spiR;
        _originalInitiator = originalInitiator;
        _nextMessageId = 0;
        _peerNextId = 0;
        _lastAnswer = [];
    }

    /// <summary>
    /// A message on the SA a rekey replaced: the answer to our Delete of it, or a request of the gateway (its Delete after
    /// its own rekey, a late liveness check), answered with an empty INFORMATIONAL. Either Delete ends it.
    /// </summary>
    private void OnRetiredSaMessage(ReadOnlyMemory<byte> message, IkeHeader header, RetiredIkeSa old)
    {
        if (header.IsInitiator == old.OriginalInitiator || SkMessages.TryOpen(message.Span, old.Sa.Inbound, out _) is not { } opened)
            return;
        if (header.IsResponse)
        {
            RetireOldSa();
            return;
        }
        _send.AddRange(SealOn(old, header.ExchangeType, header.MessageId, [], response: true).Select(Datagram));
        if (opened.Payloads.OfType<DeletePayload>().Any(d => d.Protocol == ProtocolId.Ike))
            RetireOldSa();
    }

    private void RetireOldSa()
    {
        if (_retired is not { } old)
            return;
        _retired = null;
        old.Sa.Dispose();
        _events.Add(new IkeSaRetired(old.LocalSpi));
    }

    private static uint NewChildSpi() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)) | 0x100; // never a reserved SPI (< 256)

    private static ulong NewIkeSpi() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
}
