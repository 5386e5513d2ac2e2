using System.Buffers.Binary;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>
/// RFC 6311 IPSEC_REPLAY_COUNTER_SYNC after a resume, to a peer that announced IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED:
/// the delta rides in the message-ID sync request, and the peer's answer raises each resumed inbound window to its
/// persisted mark + delta.
/// </summary>
public sealed class ReplayCounterSyncTests
{
    private static readonly DateTime T0 = ResumableSa.T0;
    private const ulong Delta = 1ul << 23;

    private static (IkeSaResponder Sa, TestInitiator Client, Func<Func<IkeSaSnapshot, IkeSaSnapshot>, IkeSaResponder> Move, Round Auth) Established(
        bool messageIdSync, bool replayCounterSync)
    {
        var established = ResumableSa.Establish(messageIdSync, replayCounterSync);
        return (established.Sa, established.Client, persisted => established.Move(persisted), established.Auth);
    }

    private static Func<IkeSaSnapshot, IkeSaSnapshot> WithInboundMark(ulong mark, bool esn = false) => s => s with
    {
        Children = s.Children.Select(c => c with { Sa = c.Sa with { ExtendedSequenceNumbers = esn }, InboundSequenceMark = mark }).ToArray(),
    };

    /// <summary>The peer's answer: the same nonce, and the IDs it was given (nothing outran the save here).</summary>
    private static byte[] SyncAnswer(NotifyPayload request) => request.Data.ToArray();

    [Fact]
    public void Support_is_echoed_only_to_a_peer_that_announced_it_and_survives_the_journal()
    {
        var (sa, client, move, auth) = Established(messageIdSync: true, replayCounterSync: true);
        using (client)
        {
            Assert.NotNull(auth.Notify(NotifyType.IpsecReplayCounterSyncSupported));
            Assert.True(sa.PeerSupportsReplayCounterSync);
            Assert.True(move(s => s).PeerSupportsReplayCounterSync);
        }

        var (plainSa, plain, _, plainAuth) = Established(messageIdSync: true, replayCounterSync: false);
        using (plain)
        {
            Assert.Null(plainAuth.Notify(NotifyType.IpsecReplayCounterSyncSupported));
            Assert.NotNull(plainAuth.Notify(NotifyType.Ikev2MessageIdSyncSupported));
            Assert.False(plainSa.PeerSupportsReplayCounterSync);
        }
    }

    [Fact]
    public void The_resumed_sync_request_carries_the_delta_and_the_answer_raises_each_window_to_mark_plus_delta()
    {
        var (_, client, move, _) = Established(messageIdSync: true, replayCounterSync: true);
        using var _c = client;
        var sa = move(WithInboundMark(70_000));
        var resumed = sa.Handle(new SaResumed(T0.AddMinutes(1)));
        var installed = resumed.Single<ChildSaEstablished>().Sa;
        Assert.Equal(70_000ul, installed.InboundSequenceStart); // until the peer answers: today's window

        var (header, payloads, _) = Assert.Single(client.GatewayRequests(resumed));
        Assert.Equal(0u, header.MessageId);
        var midSync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
        var replay = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.IpsecReplayCounterSync);
        Assert.Equal(ProtocolId.None, replay.Protocol);
        Assert.Equal(0, replay.Spi.Length);
        Assert.Equal(4, replay.Data.Length); // no ESN: 32 bits
        Assert.Equal(Delta, BinaryPrimitives.ReadUInt32BigEndian(replay.Data.Span));
        Assert.Empty(resumed.All<InboundReplayFloorRaised>());

        var answered = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, SyncAnswer(midSync))]);
        Assert.Single(answered.All<MessageIdsSynchronized>());
        Assert.Equal(new InboundReplayFloorRaised(installed.InboundSpi, 70_000 + Delta), answered.Single<InboundReplayFloorRaised>());
        // Saved with the SA: a later resume starts its window there.
        Assert.Equal(70_000 + Delta, sa.TryExportSnapshot()!.Children.Single().InboundSequenceMark);
    }

    [Fact]
    public void ESN_children_get_a_64_bit_delta_and_a_child_without_a_mark_is_floored_at_the_delta()
    {
        var (_, client, move, _) = Established(messageIdSync: true, replayCounterSync: true);
        using var _c = client;
        var sa = move(WithInboundMark(0, esn: true)); // layout v1, or a mark never saved
        var resumed = sa.Handle(new SaResumed(T0.AddMinutes(1)));
        var (header, payloads, _) = Assert.Single(client.GatewayRequests(resumed));
        var replay = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.IpsecReplayCounterSync);
        Assert.Equal(8, replay.Data.Length);
        Assert.Equal(Delta, BinaryPrimitives.ReadUInt64BigEndian(replay.Data.Span));
        var midSync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
        var answered = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, SyncAnswer(midSync))]);
        Assert.Equal(Delta, answered.Single<InboundReplayFloorRaised>().Floor);
    }

    [Fact]
    public void Nothing_is_sent_without_support_and_a_non_ESN_SA_near_its_end_is_left_alone()
    {
        var (_, client, move, _) = Established(messageIdSync: true, replayCounterSync: false);
        using (client)
        {
            var sa = move(WithInboundMark(70_000));
            var resumed = sa.Handle(new SaResumed(T0.AddMinutes(1)));
            var (header, payloads, _) = Assert.Single(client.GatewayRequests(resumed));
            Assert.DoesNotContain(payloads.OfType<NotifyPayload>(), n => n.NotifyType == NotifyType.IpsecReplayCounterSync);
            var midSync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
            var answered = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, SyncAnswer(midSync))]);
            Assert.Empty(answered.All<InboundReplayFloorRaised>());
            Assert.Equal(70_000ul, sa.TryExportSnapshot()!.Children.Single().InboundSequenceMark);
        }

        var (_, nearEnd, moveNearEnd, _) = Established(messageIdSync: true, replayCounterSync: true);
        using (nearEnd)
        {
            var sa = moveNearEnd(WithInboundMark(uint.MaxValue - Delta));
            var (_, payloads, _) = Assert.Single(nearEnd.GatewayRequests(sa.Handle(new SaResumed(T0.AddMinutes(1)))));
            Assert.DoesNotContain(payloads.OfType<NotifyPayload>(), n => n.NotifyType == NotifyType.IpsecReplayCounterSync);
        }

        // Announced replay counter sync alone: there is no message-ID sync for it to ride in, so nothing is sent.
        var (_, alone, moveAlone, _) = Established(messageIdSync: false, replayCounterSync: true);
        using (alone)
            Assert.Empty(alone.GatewayRequests(moveAlone(WithInboundMark(70_000)).Handle(new SaResumed(T0.AddMinutes(1)))));
    }

    [Fact]
    public void Unanswered_the_windows_stay_at_the_mark()
    {
        var (_, client, move, _) = Established(messageIdSync: true, replayCounterSync: true);
        using var _c = client;
        var sa = move(WithInboundMark(70_000));
        var (header, payloads, _) = Assert.Single(client.GatewayRequests(sa.Handle(new SaResumed(T0.AddMinutes(1)))));
        for (int i = 0; i < 4 && sa.MessageIdSyncPending; i++)
            Assert.Empty(sa.Handle(new TimerFired(IkeSaResponder.MessageIdSyncTimerKey, T0.AddMinutes(2 + i))).All<InboundReplayFloorRaised>());
        Assert.False(sa.MessageIdSyncPending);

        // A late answer is not one any more: dropped, nothing raised.
        var midSync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
        var late = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, SyncAnswer(midSync))]);
        Assert.Empty(late.All<InboundReplayFloorRaised>());
        Assert.Equal(70_000ul, sa.TryExportSnapshot()!.Children.Single().InboundSequenceMark);
    }
}
