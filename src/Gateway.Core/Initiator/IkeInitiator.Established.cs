using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>
/// After the handshake: answering the gateway's requests — liveness checks, MOBIKE return-routability checks (COOKIE2
/// echoed, RFC 4555 §3.8), Deletes, rekeys of the child SA and of the IKE SA — and our own Delete at teardown.
/// </summary>
public sealed partial class IkeInitiator
{
    private readonly FragmentReassembler _requestFragments = new(64, 64 * 1024);
    private uint _peerNextId;
    private IReadOnlyList<InitiatorDatagram> _lastAnswer = [];

    /// <summary>
    /// Deletes the IKE SA (INFORMATIONAL with Delete, RFC 7296 §1.4.1); a handshake still running is abandoned silently.
    /// While another exchange of ours is outstanding nothing happens (window 1): call again once it is answered.
    /// </summary>
    public InitiatorStep Close(DateTime now)
    {
        if (Phase == InitiatorPhase.Established && _outstanding.Count == 0)
        {
            Phase = InitiatorPhase.Deleting;
            SendEncryptedRequest(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])], now);
        }
        else if (Phase is InitiatorPhase.Idle or InitiatorPhase.SaInit or InitiatorPhase.Auth)
        {
            Phase = InitiatorPhase.Closed;
            _outstanding = [];
            _deadline = null;
        }
        return Flush();
    }

    private void OnGatewayRequest(ReadOnlyMemory<byte> message, IkeHeader header, DateTime now)
    {
        if (Phase is InitiatorPhase.Closed or InitiatorPhase.Failed || TryAnswerSyncRequest(message, header))
            return;
        if (header.MessageId + 1 == _peerNextId && _lastAnswer.Count > 0)
        {
            _send.AddRange(_lastAnswer); // a retransmitted request gets the same answer, not processed again
            return;
        }
        if (header.MessageId != _peerNextId || Open(message, header, _requestFragments) is not { } payloads)
            return;
        _peerNextId++;
        IReadOnlyList<Payload> answer = [];
        bool deletesIkeSa = false;
        Action? afterAnswer = null;
        if (header.ExchangeType == ExchangeType.Informational)
        {
            var list = new List<Payload>();
            foreach (var delete in payloads.OfType<DeletePayload>())
            {
                if (delete.Protocol == ProtocolId.Ike)
                    deletesIkeSa = true;
                else if (delete.Protocol == ProtocolId.Esp && OnChildDeleted(delete) is { } ours)
                    list.Add(ours);
            }
            if (payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.Cookie2) is { } cookie2)
                list.Add(NotifyPayload.Create(NotifyType.Cookie2, cookie2.Data.ToArray()));
            answer = list;
        }
        else if (header.ExchangeType == ExchangeType.CreateChildSa && Phase == InitiatorPhase.Established)
            answer = AnswerCreateChildSa(payloads, out afterAnswer);
        else if (header.ExchangeType == ExchangeType.CreateChildSa)
            answer = [NotifyPayload.Create(NotifyType.TemporaryFailure)]; // while we delete the SA
        _lastAnswer = Seal(header.ExchangeType, header.MessageId, answer, response: true).Select(Datagram).ToList();
        _send.AddRange(_lastAnswer);
        _events.Add(new GatewayRequestAnswered(header.ExchangeType));
        afterAnswer?.Invoke(); // an IKE SA rekey switches only after the answer is sealed with the old SA's keys
        if (deletesIkeSa)
        {
            if (Phase == InitiatorPhase.Auth)
                Fail(InitiatorFailure.DeletedByGateway, "gateway deleted the IKE SA during IKE_AUTH");
            else
                Finish(InitiatorPhase.Closed, new TunnelClosed(true));
        }
    }

    /// <summary>The gateway deletes a child by its inbound SPI (our outbound): we answer with ours (RFC 7296 §1.4.1).</summary>
    private DeletePayload? OnChildDeleted(DeletePayload delete)
    {
        var ours = new List<uint>();
        foreach (var child in new[] { _oldChild, _child })
        {
            if (child is not null && delete.Spis.Contains(child.OutboundSpi))
            {
                ours.Add(child.InboundSpi);
                _events.Add(new ChildSaRetired(child.InboundSpi));
            }
        }
        return ours.Count > 0 ? new DeletePayload(ProtocolId.Esp, ours) : null;
    }

    private IReadOnlyList<Payload> AnswerCreateChildSa(IReadOnlyList<Payload> payloads, out Action? afterAnswer)
    {
        afterAnswer = null;
        if (payloads.OfType<SecurityAssociationPayload>().FirstOrDefault() is not { } sa ||
            payloads.OfType<NoncePayload>().FirstOrDefault() is not { } nonce)
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        var ke = payloads.OfType<KeyExchangePayload>().FirstOrDefault();
        if (ke is not null && !KeyExchangeFactory.IsSupported(ke.Group))
            return [NotifyPayload.Create(NotifyType.NoProposalChosen)];
        if (sa.Proposals.Any(p => p.Protocol == ProtocolId.Ike))
            return AnswerIkeRekey(sa, nonce, ke, out afterAnswer);
        var rekey = payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == NotifyType.RekeySa);
        if (rekey is null || _child is null)
            return [NotifyPayload.Create(NotifyType.NoAdditionalSas)]; // one child per tunnel, as the clients we imitate
        if (rekey.Spi.Length != 4 || BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span) != _child.OutboundSpi)
            return [NotifyPayload.CreateForChild(NotifyType.ChildSaNotFound, ProtocolId.Esp, rekey.Spi.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span) : 0)];
        return AnswerChildRekey(sa, nonce, ke, payloads);
    }

    /// <summary>The gateway rekeys our child (RFC 7296 §1.3.3): one of its proposals that we offered, PFS when it asks.</summary>
    private IReadOnlyList<Payload> AnswerChildRekey(SecurityAssociationPayload sa, NoncePayload nonce, KeyExchangePayload? ke, IReadOnlyList<Payload> payloads)
    {
        var acceptable = ke is null ? _espProposals : _espProposals.Select(p => p with { Transforms = [.. p.Transforms, Transform.KeyExchange(ke.Group)] }).ToList();
        if (ProposalSelector.Select(sa, acceptable).Selected is not { Spi32: { } theirSpi } selected)
            return [NotifyPayload.Create(NotifyType.NoProposalChosen)];
        byte[] secret = [];
        KeyExchangePayload? ourKe = null;
        if (ke is not null)
        {
            using var exchange = KeyExchangeFactory.Create(ke.Group);
            if (!exchange.TryComputeSharedSecret(ke.Data.Span, out secret, out _))
                return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
            ourKe = new KeyExchangePayload(ke.Group, exchange.PublicKey);
        }
        uint ourSpi = NewChildSpi();
        var nonceR = RandomNumberGenerator.GetBytes(32);
        var tsi = payloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = payloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => !t.IsInitiator);
        if (tsi is null || tsr is null)
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        var fresh = KeyChild(selected, ourSpi, theirSpi, nonce.Data.ToArray(), nonceR, secret, tsi.Selectors, weInitiated: false);
        CryptographicOperations.ZeroMemory(secret);
        var old = ReplaceChild(fresh);
        _events.Add(new ChildSaReplaced(old, fresh, ByGateway: true));
        List<Payload> answer = [new SecurityAssociationPayload([selected with { Spi = InitiatorKeying.Spi32(ourSpi) }]), new NoncePayload(nonceR)];
        if (ourKe is not null)
            answer.Add(ourKe);
        answer.Add(tsi);
        answer.Add(tsr);
        return answer;
    }

    /// <summary>The gateway rekeys the IKE SA (RFC 7296 §1.3.2): it becomes the new SA's original initiator.</summary>
    private IReadOnlyList<Payload> AnswerIkeRekey(SecurityAssociationPayload sa, NoncePayload nonce, KeyExchangePayload? ke, out Action? afterAnswer)
    {
        afterAnswer = null;
        if (ke is null)
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        // Only proposals with the group of its KE payload: another group would need an INVALID_KE_PAYLOAD round.
        var acceptable = _ikeProposals
            .Where(p => p.OfType(TransformType.KeyExchange).Any(t => t.Id == (ushort)ke.Group))
            .Select(p => p with { Transforms = [.. p.Transforms.Where(t => t.Type != TransformType.KeyExchange), Transform.KeyExchange(ke.Group)] })
            .ToList();
        if (ProposalSelector.Select(sa, acceptable).Selected is not { } selected || selected.Spi.Length != 8)
            return [NotifyPayload.Create(NotifyType.NoProposalChosen)];
        using var exchange = KeyExchangeFactory.Create(ke.Group);
        if (!exchange.TryComputeSharedSecret(ke.Data.Span, out var secret, out _))
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        ulong theirSpi = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi.Span);
        ulong ourSpi = NewIkeSpi();
        var nonceR = RandomNumberGenerator.GetBytes(32);
        var fresh = InitiatorKeying.Rekeyed(_sa!, selected, secret, nonce.Data.ToArray(), nonceR, theirSpi, ourSpi, weAreInitiator: false);
        CryptographicOperations.ZeroMemory(secret);
        afterAnswer = () =>
        {
            ulong oldLocal = LocalSpi;
            SwitchIkeSa(fresh, theirSpi, ourSpi, originalInitiator: false);
            _events.Add(new IkeSaReplaced(oldLocal, LocalSpi, ByGateway: true));
        };
        return [new SecurityAssociationPayload([selected with { Spi = InitiatorKeying.Spi64(ourSpi) }]), new NoncePayload(nonceR),
            new KeyExchangePayload(ke.Group, exchange.PublicKey)];
    }
}
