using Gateway.Core.Collections;
using System.Buffers.Binary;
using Gateway.Core.DataPlane;
using Gateway.Core.Transport;
using Gateway.Crypto.KeyExchange;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// Rekeying (RFC 7296 §1.3, §2.8, §2.18, §2.25) and lifetimes: CREATE_CHILD_SA as responder (new child, child rekey,
// IKE SA rekey), our own rekeys and deletes as initiator with retransmission, simultaneous rekeys, and the IKE SAs a
// rekey left behind. Kept apart from the exchange dispatch in IkeSaResponder.cs, which calls in at a few points.
public sealed partial class IkeSaResponder
{
    private readonly SmallMap<uint, ChildSaLife> _lives = new();
    private readonly List<RetiredIkeSa> _retired = [];

    /// <summary>The peer's IKE SA rekey we answered; we switch to it once the response is sealed with the old keys.</summary>
    private NewIkeSa? _switchAfterResponse;

    /// <summary>Our IKE SA rekey, queued or on the wire.</summary>
    private OurIkeRekey? _ourIkeRekey;

    /// <summary>The peer's IKE SA rekey answered while ours was on the wire: decided when our answer comes (§2.8.2).</summary>
    private NewIkeSa? _peerIkeRekeyDuringOurs;

    /// <summary>True after we rekeyed the IKE SA ourselves: we are then the original initiator of the current IKE SA.</summary>
    public bool LocalIsOriginalInitiator { get; private set; }

    /// <summary>Our SPI of the current IKE SA (the ingress routes by it).</summary>
    public ulong LocalSpi => LocalIsOriginalInitiator ? InitiatorSpi : ResponderSpi;

    /// <summary>Child SAs in use, not counting old ones that a rekey replaced and that wait for their Delete.</summary>
    public int ActiveChildSaCount => _lives.Values.Count(l => l.State == ChildSaLifeState.Active);

    /// <summary>Our inbound SPIs of the child SAs in use.</summary>
    public IReadOnlyList<uint> ActiveChildSaSpis => _lives.Values.Where(l => l.State == ChildSaLifeState.Active).Select(l => l.InboundSpi).ToList();

    private RekeyOptions Rekey => _options.Rekey;

    private ChildSaCreator ChildCreator => new(_policy, _services, _options);

    private IkeSaRekeyer IkeRekeyer => new(_policy, _services, _options);

    private IkeHeaderFlags OwnFlags(IkeHeaderFlags flags) => LocalIsOriginalInitiator ? flags | IkeHeaderFlags.Initiator : flags;

    /// <summary>
    /// Where new child SAs' ESP goes: the child SAs' current path, which lags the IKE SA's while a MOBIKE
    /// return-routability check runs (a rekeyed SA must not jump ahead of the SA it replaces).
    /// </summary>
    private ChildSaPath CurrentPath() => _trafficPath is { } path
        ? new(path.Local, path.Remote, path.UdpEncapsulated)
        : new(Local!, Remote!, Nat.Any || Local!.Port == IkePorts.NatTraversal);

    // ---- lifetimes ----

    private void StartIkeSaLifetime(StepBuilder step) =>
        step.Timer(RekeyTimers.IkeRekey, Lifetimes.Jittered(Rekey.IkeSaLifetime, Rekey.Jitter, _services));

    private void StartFirstChildLife(IReadOnlyList<Payload> responsePayloads, ChildSaInstallation sa, StepBuilder step)
    {
        if (ChildSaCreator.FirstChildLife(responsePayloads, sa) is { } life)
            StartLife(life, step);
    }

    private void StartLife(ChildSaLife life, StepBuilder step)
    {
        _lives[life.InboundSpi] = life;
        step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), Lifetimes.Jittered(Rekey.ChildSoftLifetime, Rekey.Jitter, _services));
        step.Timer(RekeyTimers.ChildHard(life.InboundSpi), Rekey.ChildHardLifetime);
    }

    /// <summary>A child SA left the table: stop its timers and drop a rekey of it that has not gone out yet.</summary>
    private void ForgetLife(uint inboundSpi, StepBuilder step)
    {
        if (!_lives.Remove(inboundSpi, out var life))
            return;
        step.Timer(RekeyTimers.ChildSoft(inboundSpi), null);
        step.Timer(RekeyTimers.ChildHard(inboundSpi), null);
        if (life.OurRekey is { Sent: false } ours
            && _requests.Queued.OfType<ChildRekeyRequest>().FirstOrDefault(r => r.Rekey == ours) is { } queued && _requests.Cancel(queued))
        {
            ours.KeyExchange?.Dispose();
            _services.ReleaseEspSpi(ours.NewInboundSpi);
        }
    }

    private void OnTraffic(ChildSaTraffic traffic, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established || !_lives.TryGetValue(traffic.InboundSpi, out var life))
            return;
        if (Rekey.ChildHardBytes is { } hard && traffic.Bytes >= hard)
        {
            DeleteChild(life, step, tellPeer: true);
            return;
        }
        if (Rekey.ChildSoftBytes is { } soft && traffic.Bytes >= soft && !life.SoftBytesReached)
        {
            life.SoftBytesReached = true;
            StartChildRekey(life, step);
        }
    }

    private void OnRekeyTimer(TimerFired timer, StepBuilder step)
    {
        if (Phase != IkeSaPhase.Established)
            return;
        if (timer.Key == RekeyTimers.IkeRekey)
            StartIkeRekey(step);
        else if (RekeyTimers.TryParseChild(timer.Key, out bool soft, out uint spi) && _lives.TryGetValue(spi, out var life))
        {
            if (soft)
                StartChildRekey(life, step);
            else
                DeleteChild(life, step, tellPeer: true);
        }
        else if (RekeyTimers.TryParseOldIkeSa(timer.Key, out ulong localSpi) && _retired.Find(r => r.LocalSpi == localSpi) is { } retired)
        {
            // Same back-off as the current SA's requests; when it runs out the old SA goes anyway (no dormancy for it).
            if (retired.OurDelete is { } delete && delete.Attempt + 1 < _options.RetransmitIntervals.Count)
            {
                delete.Attempt++;
                step.Send(new IkeDatagram(delete.Message, Local!, Remote!));
                step.Timer(timer.Key, OutgoingRequests.Wait(_options, delete.Attempt));
            }
            else
            {
                Retire(retired, step);
            }
        }
    }

    /// <summary>Removes a child SA now (hard lifetime, or gone at the peer) and, when asked, tells the peer.</summary>
    private void DeleteChild(ChildSaLife life, StepBuilder step, bool tellPeer)
    {
        if (_children.RemoveByInboundSpi(life.InboundSpi) is { } removed)
        {
            step.Emit(new ChildSaDeleted(removed.InboundSpi));
            _services.ReleaseEspSpi(removed.InboundSpi);
        }
        ForgetLife(life.InboundSpi, step);
        if (tellPeer)
            Enqueue(new DeleteChildRequest([life.InboundSpi]), step);
    }

    // ---- CREATE_CHILD_SA from the peer ----

    private IReadOnlyList<Payload> OnCreateChildSa(OpenedMessage request, StepBuilder step)
    {
        var sa = request.Find<SecurityAssociationPayload>();
        if (sa is null || sa.Proposals.Count == 0)
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        if (sa.Proposals.Any(p => p.Protocol == ProtocolId.Ike))
            return OnPeerIkeRekey(request, step);
        // §2.25.1: no child exchanges while the IKE SA itself is being rekeyed.
        if (_ourIkeRekey is { Sent: true } || _peerIkeRekeyDuringOurs is not null)
            return [NotifyPayload.Create(NotifyType.TemporaryFailure)];
        return request.FindNotify(NotifyType.RekeySa) is { } rekey ? OnPeerChildRekey(request, rekey, step) : OnPeerNewChild(request, step);
    }

    private IReadOnlyList<Payload> OnPeerNewChild(OpenedMessage request, StepBuilder step)
    {
        if (!Rekey.AllowAdditionalChildSas || ActiveChildSaCount >= Rekey.MaxChildSas)
            return [NotifyPayload.Create(NotifyType.NoAdditionalSas)];
        var created = ChildCreator.Respond(request, _crypto!, VirtualAddresses, CurrentPath());
        if (created.Installation is { } sa)
        {
            _children.Add(sa);
            StartLife(created.Life!, step);
            step.Emit(new ChildSaEstablished(sa));
        }
        return created.Payloads;
    }

    /// <summary>
    /// The peer rekeys a child SA (§1.3.3). The new SA is installed at once (outbound moves to it); the old one stays
    /// for inbound until the peer deletes it. When our rekey of the same SA is on the wire, this is a collision (§2.8.1),
    /// decided when our answer arrives.
    /// </summary>
    private IReadOnlyList<Payload> OnPeerChildRekey(OpenedMessage request, NotifyPayload rekey, StepBuilder step)
    {
        if (rekey.Protocol != ProtocolId.Esp || rekey.Spi.Length != 4)
            return [NotifyPayload.Create(NotifyType.InvalidSyntax)];
        uint peerSpi = BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span);
        // The notify names the SPI the peer receives on: our outbound SPI.
        if (_children.FindByOutboundSpi(peerSpi) is not { } old || !_lives.TryGetValue(old.InboundSpi, out var life))
            return [NotifyPayload.CreateForChild(NotifyType.ChildSaNotFound, ProtocolId.Esp, peerSpi)];
        // Already replaced (by our rekey or an earlier one) and on its way out: §2.25.1.
        if (life.State != ChildSaLifeState.Active || life.Collision is not null)
            return [NotifyPayload.Create(NotifyType.TemporaryFailure)];

        bool collision = false;
        if (life.OurRekey is { } ours)
        {
            if (ours.Sent)
                collision = true;
            else
            {
                ForgetQueuedChildRekey(life, ours);
            }
        }
        var created = ChildCreator.Respond(request, _crypto!, VirtualAddresses, CurrentPath());
        if (created.Installation is not { } sa)
            return created.Payloads;
        _children.Add(sa);
        StartLife(created.Life!, step);
        step.Emit(new ChildSaRekeyed(old.InboundSpi, sa));
        if (collision)
        {
            life.Collision = new PeerRekey(sa.InboundSpi, created.NonceI, created.NonceR);
        }
        else
        {
            life.State = ChildSaLifeState.Replaced;
            step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), null);
        }
        return created.Payloads;
    }

    private void ForgetQueuedChildRekey(ChildSaLife life, OurChildRekey ours)
    {
        if (_requests.Queued.OfType<ChildRekeyRequest>().FirstOrDefault(r => r.Rekey == ours) is { } queued)
            _requests.Cancel(queued);
        ours.KeyExchange?.Dispose();
        _services.ReleaseEspSpi(ours.NewInboundSpi);
        life.OurRekey = null;
    }

    /// <summary>
    /// The peer rekeys the IKE SA (§1.3.2). We answer with the old keys and switch right after (children move along);
    /// the old SA stays until the peer deletes it. §2.25.2: not while one of our child exchanges is on the wire.
    /// </summary>
    private IReadOnlyList<Payload> OnPeerIkeRekey(OpenedMessage request, StepBuilder step)
    {
        // Any other request of ours outstanding (a rekey, a delete, a liveness probe, a return-routability check) would
        // be answered on the old SA after the switch: let the peer retry once it is answered.
        if (_requests.Current is { } and not IkeRekeyRequest || _switchAfterResponse is not null || _peerIkeRekeyDuringOurs is not null)
            return [NotifyPayload.Create(NotifyType.TemporaryFailure)];
        bool collision = false;
        if (_ourIkeRekey is { } ours)
        {
            if (ours.Sent)
                collision = true;
            else
            {
                if (_requests.Queued.OfType<IkeRekeyRequest>().FirstOrDefault(r => r.Rekey == ours) is { } queued)
                    _requests.Cancel(queued);
                ours.KeyExchange.Dispose();
                _ourIkeRekey = null;
            }
        }
        var outcome = IkeRekeyer.Respond(request, _crypto!);
        if (outcome.NewSa is { } created)
        {
            if (collision)
            {
                _peerIkeRekeyDuringOurs = created;
                step.Emit(new IkeSaSpiAdded(created.LocalSpi));
            }
            else
            {
                _switchAfterResponse = created;
            }
        }
        return outcome.Payloads;
    }

    /// <summary>Runs after a response went out: a pending IKE SA switch, then our queued requests.</summary>
    private void AfterRespond(StepBuilder step)
    {
        if (_switchAfterResponse is { } created)
        {
            _switchAfterResponse = null;
            SwitchTo(created, step, deleteOld: false);
        }
        SendNextOwnRequest(step);
    }

    /// <summary>
    /// Makes <paramref name="created"/> the current IKE SA: message IDs start at 0 on it; the old one is kept (its keys,
    /// IDs and cached response) for its Delete. The rekey's initiator deletes the old SA (§2.18).
    /// </summary>
    private void SwitchTo(NewIkeSa created, StepBuilder step, bool deleteOld)
    {
        var old = new RetiredIkeSa(_crypto!, InitiatorSpi, ResponderSpi, LocalIsOriginalInitiator)
        {
            ExpectedRequestId = _expectedRequestId,
            LastAnsweredId = _lastAnsweredId,
            CachedResponse = _cachedResponse,
            NextOwnRequestId = _requests.StartNewIkeSa(),
        };
        _retired.Add(old);
        step.Timer(RekeyTimers.OldIkeSa(old.LocalSpi), Rekey.OldIkeSaLinger);

        _crypto = created.Crypto;
        InitiatorSpi = created.InitiatorSpi;
        ResponderSpi = created.ResponderSpi;
        LocalIsOriginalInitiator = created.LocalIsOriginalInitiator;
        _expectedRequestId = 0;
        _lastAnsweredId = null;
        _cachedResponse = null;
        step.Emit(new IkeSaRekeyed(created.InitiatorSpi, created.ResponderSpi, created.LocalIsOriginalInitiator));
        StartIkeSaLifetime(step);
        if (deleteOld)
            SendDelete(old, step);
    }

    /// <summary>Deletes a non-current IKE SA: the request goes on that SA, retransmitted by its linger timer.</summary>
    private void SendDelete(RetiredIkeSa sa, StepBuilder step)
    {
        var request = new DeleteIkeRequest();
        uint id = sa.NextOwnRequestId++;
        var header = IkeHeader.Create(sa.InitiatorSpi, sa.ResponderSpi, ExchangeType.Informational,
            sa.LocalIsOriginalInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None, id);
        var message = SkMessages.Seal(header, request.Payloads, sa.Crypto.Outbound);
        sa.OurDelete = new OutstandingDelete(id, message);
        step.Send(new IkeDatagram(message, Local!, Remote!));
        step.Timer(RekeyTimers.OldIkeSa(sa.LocalSpi), OutgoingRequests.Wait(_options, 0));
    }

    private void Retire(RetiredIkeSa sa, StepBuilder step)
    {
        _retired.Remove(sa);
        sa.Crypto.Dispose();
        step.Timer(RekeyTimers.OldIkeSa(sa.LocalSpi), null);
        step.Emit(new IkeSaSpiRetired(sa.LocalSpi));
    }

    /// <summary>
    /// A message on an IKE SA that is no longer current: its Delete (→ gone), an INFORMATIONAL (child deletes still
    /// apply), a retransmission of the request it last answered, or the answer to our Delete. New exchanges belong on
    /// the current SA: TEMPORARY_FAILURE. Returns false when the SPIs are not those of such an SA.
    /// </summary>
    private bool TryHandleRetired(IkeDatagram datagram, IkeHeader header, StepBuilder step)
    {
        if (_retired.Count == 0 || _retired.Find(r => r.Matches(header)) is not { } sa)
            return false;
        var bytes = datagram.Message.Span;
        if (header.IsInitiator == sa.LocalIsOriginalInitiator)
        {
            Drop(step, IkeDropReason.Unexpected);
            return true;
        }
        if (header.IsResponse)
        {
            if (sa.OurDelete?.MessageId == header.MessageId && SkMessages.TryOpen(bytes, sa.Crypto.Inbound, out _) is not null)
                Retire(sa, step);
            else
                Drop(step, IkeDropReason.Unexpected);
            return true;
        }
        if (header.MessageId == sa.LastAnsweredId && sa.CachedResponse is { } cached)
        {
            if (SkMessages.TryOpen(bytes, sa.Crypto.Inbound, out var why) is null)
                Drop(step, why);
            else
            {
                foreach (var message in cached)
                    step.Send(new IkeDatagram(message, datagram.Local, datagram.Remote));
            }
            return true;
        }
        if (header.MessageId != sa.ExpectedRequestId)
        {
            Drop(step, IkeDropReason.OutOfWindow);
            return true;
        }
        var request = SkMessages.TryOpen(bytes, sa.Crypto.Inbound, out var reason);
        if (request is null)
        {
            Drop(step, reason);
            return true;
        }
        bool deletesIt = header.ExchangeType == ExchangeType.Informational && request.All<DeletePayload>().Any(d => d.Protocol == ProtocolId.Ike);
        IReadOnlyList<Payload>? payloads = header.ExchangeType switch
        {
            ExchangeType.Informational when deletesIt => [],
            ExchangeType.Informational => OnChildDeletes(request, step),
            ExchangeType.CreateChildSa => [NotifyPayload.Create(NotifyType.TemporaryFailure)],
            _ => null,
        };
        if (payloads is null)
        {
            Drop(step, IkeDropReason.Unexpected);
            return true;
        }
        var responseHeader = IkeHeader.Create(sa.InitiatorSpi, sa.ResponderSpi, header.ExchangeType,
            sa.LocalIsOriginalInitiator ? IkeHeaderFlags.Response | IkeHeaderFlags.Initiator : IkeHeaderFlags.Response, header.MessageId);
        var response = SkMessages.Seal(responseHeader, payloads, sa.Crypto.Outbound);
        sa.CachedResponse = [response];
        sa.LastAnsweredId = header.MessageId;
        sa.ExpectedRequestId = header.MessageId + 1;
        step.Send(new IkeDatagram(response, datagram.Local, datagram.Remote));
        if (deletesIt)
            Retire(sa, step);
        return true;
    }

    // ---- our own requests ----

    private void StartChildRekey(ChildSaLife life, StepBuilder step, KeyExchangeGroup? group = null, bool afterInvalidKe = false)
    {
        if (life.State != ChildSaLifeState.Active || life.OurRekey is not null || life.Collision is not null)
            return;
        var ours = ChildCreator.Offer(life, group ?? Rekey.ChildRekeyPfsGroup ?? life.PfsGroup, afterInvalidKe);
        life.OurRekey = ours;
        Enqueue(new ChildRekeyRequest(ours), step);
    }

    private void StartIkeRekey(StepBuilder step, KeyExchangeGroup? group = null, bool afterInvalidKe = false)
    {
        if (_ourIkeRekey is not null || _peerIkeRekeyDuringOurs is not null || _switchAfterResponse is not null)
            return;
        _ourIkeRekey = IkeRekeyer.Offer(_crypto!, group, afterInvalidKe);
        Enqueue(new IkeRekeyRequest(_ourIkeRekey), step);
    }

    private void Enqueue(OwnRequest request, StepBuilder step)
    {
        _requests.Enqueue(request);
        SendNextOwnRequest(step);
    }

    /// <summary>
    /// Sends the next queued request when none is outstanding (window of 1), sealed with the current keys — not while an
    /// IKE SA switch is pending (the request belongs on the new SA), nor before establishment.
    /// </summary>
    private void SendNextOwnRequest(StepBuilder step)
    {
        if (_switchAfterResponse is not null || Phase != IkeSaPhase.Established || Local is null || Remote is null || MessageIdSyncPending)
            return; // (after a resume, our requests wait for the RFC 6311 message-ID sync)
        switch (_requests.TrySendNext(step))
        {
            case ChildRekeyRequest c:
                c.Rekey.Sent = true;
                break;
            case IkeRekeyRequest i:
                i.Rekey.Sent = true;
                break;
        }
    }

    /// <summary>The answer to one of our rekeys or child deletes (the tracker matched and authenticated it).</summary>
    private void OnRekeyOrDeleteAnswered(OwnRequest request, OpenedMessage response, StepBuilder step)
    {
        switch (request)
        {
            case ChildRekeyRequest c:
                OnOurChildRekeyAnswered(c.Rekey, response, step);
                break;
            case IkeRekeyRequest i:
                OnOurIkeRekeyAnswered(i.Rekey, response, step);
                break;
            case DeleteChildRequest d:
                foreach (uint spi in d.InboundSpis)
                {
                    if (_children.RemoveByInboundSpi(spi) is { } removed)
                    {
                        step.Emit(new ChildSaDeleted(removed.InboundSpi));
                        _services.ReleaseEspSpi(removed.InboundSpi);
                    }
                    ForgetLife(spi, step);
                }
                break;
        }
    }

    private void OnOurChildRekeyAnswered(OurChildRekey ours, OpenedMessage response, StepBuilder step)
    {
        var life = _lives.GetValueOrDefault(ours.OldInboundSpi);
        if (life?.OurRekey == ours)
            life.OurRekey = null;
        var created = ChildCreator.Complete(ours, response, _crypto!, CurrentPath());
        ours.KeyExchange?.Dispose();
        if (created.Installation is not { } sa)
        {
            _services.ReleaseEspSpi(ours.NewInboundSpi);
            if (life is null || life.State != ChildSaLifeState.Active)
                return;
            if (life.Collision is not null)
            {
                // Only the peer's rekey succeeded: its SA is the successor, and the peer deletes the old one.
                life.Collision = null;
                life.State = ChildSaLifeState.Replaced;
                step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), null);
            }
            else if (created.Error is { } e && e.TryGetInvalidKeGroup(out var group) && !ours.AfterInvalidKe && KeyExchangeFactory.IsSupported(group))
                StartChildRekey(life, step, group, afterInvalidKe: true);
            else if (created.Error?.NotifyType == NotifyType.ChildSaNotFound)
                DeleteChild(life, step, tellPeer: false);
            else
                step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), Rekey.RekeyRetryDelay);
            return;
        }
        if (life is null || life.State != ChildSaLifeState.Active)
        {
            // The SA we rekeyed went meanwhile: the new one has nothing to replace.
            _services.ReleaseEspSpi(sa.InboundSpi);
            Enqueue(new DeleteChildRequest([sa.InboundSpi]), step);
            return;
        }
        if (life.Collision is { } theirs)
        {
            // §2.8.1: the SA made with the lowest of the four nonces is redundant; its creator deletes it, and the
            // creator of the surviving SA deletes the old one.
            life.Collision = null;
            if (Lifetimes.FirstHasLowestNonce(created.NonceI, created.NonceR, theirs.NonceI, theirs.NonceR))
            {
                life.State = ChildSaLifeState.Replaced;
                step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), null);
                _services.ReleaseEspSpi(sa.InboundSpi); // never installed here
                Enqueue(new DeleteChildRequest([sa.InboundSpi]), step);
                return;
            }
        }
        _children.Add(sa);
        StartLife(created.Life!, step);
        step.Emit(new ChildSaRekeyed(life.InboundSpi, sa));
        life.State = ChildSaLifeState.Deleting;
        step.Timer(RekeyTimers.ChildSoft(life.InboundSpi), null);
        Enqueue(new DeleteChildRequest([life.InboundSpi]), step);
    }

    private void OnOurIkeRekeyAnswered(OurIkeRekey ours, OpenedMessage response, StepBuilder step)
    {
        _ourIkeRekey = null;
        var created = IkeRekeyer.Complete(ours, response, _crypto!, out var error);
        ours.KeyExchange.Dispose();
        var theirs = _peerIkeRekeyDuringOurs;
        _peerIkeRekeyDuringOurs = null;
        if (created is null)
        {
            if (theirs is not null)
                SwitchTo(theirs, step, deleteOld: false);
            else if (error is { } e && e.TryGetInvalidKeGroup(out var group) && !ours.AfterInvalidKe && KeyExchangeFactory.IsSupported(group))
                StartIkeRekey(step, group, afterInvalidKe: true);
            else
                step.Timer(RekeyTimers.IkeRekey, Rekey.RekeyRetryDelay);
            return;
        }
        if (theirs is not null && Lifetimes.FirstHasLowestNonce(created.NonceI, created.NonceR, theirs.NonceI, theirs.NonceR))
        {
            // §2.8.2: ours is redundant. Theirs becomes current (the peer deletes the old SA); we delete ours.
            SwitchTo(theirs, step, deleteOld: false);
            var redundant = new RetiredIkeSa(created.Crypto, created.InitiatorSpi, created.ResponderSpi, true);
            _retired.Add(redundant);
            step.Emit(new IkeSaSpiAdded(redundant.LocalSpi));
            SendDelete(redundant, step);
            return;
        }
        SwitchTo(created, step, deleteOld: true);
        if (theirs is not null)
        {
            // Theirs is redundant: the peer deletes it.
            var redundant = new RetiredIkeSa(theirs.Crypto, theirs.InitiatorSpi, theirs.ResponderSpi, false);
            _retired.Add(redundant);
            step.Timer(RekeyTimers.OldIkeSa(redundant.LocalSpi), Rekey.OldIkeSaLinger);
        }
    }

    /// <summary>On termination: SPIs of unfinished rekeys back to the services, keys of every other IKE SA zeroed.</summary>
    private void ReleaseRekeyState()
    {
        foreach (var life in _lives.Values)
        {
            if (life.OurRekey is { } ours)
            {
                ours.KeyExchange?.Dispose();
                _services.ReleaseEspSpi(ours.NewInboundSpi);
            }
        }
        _lives.Clear();
        _ourIkeRekey?.KeyExchange.Dispose();
        _ourIkeRekey = null;
        foreach (var sa in _retired)
            sa.Crypto.Dispose();
        _retired.Clear();
        _peerIkeRekeyDuringOurs?.Crypto.Dispose();
        _peerIkeRekeyDuringOurs = null;
        _switchAfterResponse?.Crypto.Dispose();
        _switchAfterResponse = null;
    }
}
