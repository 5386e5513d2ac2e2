using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Initiator;

/// <summary>After the handshake: answering the gateway's requests (liveness, deletes) and our own Delete at teardown.</summary>
public sealed partial class IkeInitiator
{
    private readonly FragmentReassembler _requestFragments = new(64, 64 * 1024);
    private uint _peerNextId;
    private IReadOnlyList<InitiatorDatagram> _lastAnswer = [];

    /// <summary>Deletes the IKE SA (INFORMATIONAL with Delete, RFC 7296 §1.4.1); a handshake still running is abandoned silently.</summary>
    public InitiatorStep Close(DateTime now)
    {
        if (Phase == InitiatorPhase.Established)
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
        if (Phase is InitiatorPhase.Closed or InitiatorPhase.Failed)
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
        if (header.ExchangeType == ExchangeType.Informational)
        {
            foreach (var delete in payloads.OfType<DeletePayload>())
            {
                if (delete.Protocol == ProtocolId.Ike)
                    deletesIkeSa = true;
                else if (delete.Protocol == ProtocolId.Esp && _child is not null && delete.Spis.Contains(_child.OutboundSpi))
                    answer = [new DeletePayload(ProtocolId.Esp, [_child.InboundSpi])];
            }
        }
        else if (header.ExchangeType == ExchangeType.CreateChildSa)
            answer = [NotifyPayload.Create(NotifyType.NoAdditionalSas)]; // the load tester keeps one child and does not rekey
        _lastAnswer = Seal(header.ExchangeType, header.MessageId, answer, response: true).Select(Datagram).ToList();
        _send.AddRange(_lastAnswer);
        _events.Add(new GatewayRequestAnswered(header.ExchangeType));
        if (deletesIkeSa)
        {
            if (Phase == InitiatorPhase.Auth)
                Fail(InitiatorFailure.DeletedByGateway, "gateway deleted the IKE SA during IKE_AUTH");
            else
                Finish(InitiatorPhase.Closed, new TunnelClosed(true));
        }
    }
}
