using System.Buffers.Binary;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>RFC 6311 message-ID sync after a resume, to a peer that announced IKEV2_MESSAGE_ID_SYNC_SUPPORTED.</summary>
public sealed class MessageIdSyncTests
{
    private static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static (IkeSaResponder Sa, TestInitiator Client, Func<IkeSaResponder> Move, Round Auth) Established(bool announce)
    {
        var established = ResumableSa.Establish(messageIdSync: announce);
        return (established.Sa, established.Client, () => established.Move(), established.Auth);
    }

    [Fact]
    public void Resumed_SA_sends_MESSAGE_ID_SYNC_and_takes_the_peers_higher_IDs()
    {
        var (_, client, move, auth) = Established(announce: true);
        using var _c = client;
        Assert.NotNull(auth.Notify(NotifyType.Ikev2MessageIdSyncSupported));
        Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
        uint ourNext = client.NextMessageId; // what the snapshot expects from the client

        var sa = move();
        var resumed = sa.Handle(new SaResumed(T0.AddMinutes(1)));
        var (header, payloads, _) = Assert.Single(client.GatewayRequests(resumed));
        Assert.Equal(0u, header.MessageId);
        Assert.Equal(ExchangeType.Informational, header.ExchangeType);
        var sync = payloads.OfType<NotifyPayload>().Single(n => n.NotifyType == NotifyType.Ikev2MessageIdSync);
        Assert.Equal(12, sync.Data.Length);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(sync.Data.Span[4..]));      // M1: no request of ours yet
        Assert.Equal(ourNext, BinaryPrimitives.ReadUInt32BigEndian(sync.Data.Span[8..])); // P1
        Assert.True(sa.MessageIdSyncPending);

        // The client had sent two more requests that the old node answered but never persisted: P2 is higher.
        var answer = new byte[12];
        sync.Data.Span[..4].CopyTo(answer);
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), ourNext + 2);
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), 5);
        var synced = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, answer)]);
        Assert.Equal(new MessageIdsSynchronized(5, ourNext + 2), synced.Single<MessageIdsSynchronized>());
        Assert.False(sa.MessageIdSyncPending);

        client.NextMessageId = ourNext + 2;
        Assert.NotNull(client.Request(ExchangeType.Informational, []).Response);
        // Our next request carries M2.
        var probe = sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, T0.AddHours(1)));
        Assert.Equal(5u, Assert.Single(client.GatewayRequests(probe)).Header.MessageId);
    }

    [Fact]
    public void A_wrong_nonce_is_dropped_and_a_peer_without_support_gets_no_sync()
    {
        var (_, client, move, _) = Established(announce: true);
        using (client)
        {
            var sa = move();
            var resumed = sa.Handle(new SaResumed(T0.AddMinutes(1)));
            var (header, _, _) = Assert.Single(client.GatewayRequests(resumed));
            var forged = client.Answer(header, [NotifyPayload.Create(NotifyType.Ikev2MessageIdSync, new byte[12])]);
            Assert.Single(forged.All<IkeMessageDropped>());
            Assert.True(sa.MessageIdSyncPending);
        }

        var (_, plain, movePlain, auth) = Established(announce: false);
        using (plain)
        {
            Assert.Null(auth.Notify(NotifyType.Ikev2MessageIdSyncSupported));
            var sa = movePlain();
            Assert.Empty(plain.GatewayRequests(sa.Handle(new SaResumed(T0.AddMinutes(1)))));
            Assert.False(sa.MessageIdSyncPending);
        }
    }

    [Fact]
    public void The_sync_is_sent_once_per_IKE_SA_never_retransmitted_nor_repeated_after_a_second_move()
    {
        var (_, client, move, _) = Established(announce: true);
        using var _c = client;
        var sa = move();
        Assert.Single(client.GatewayRequests(sa.Handle(new SaResumed(T0.AddMinutes(1)))));
        Assert.False(sa.PeerSupportsMessageIdSync); // spent, and so saved

        // Unanswered: the waits pass without a second #0 (strongSwan would destroy the SA), then the SA carries on.
        for (int i = 0; i < 4 && sa.MessageIdSyncPending; i++)
            Assert.Empty(client.GatewayRequests(sa.Handle(new TimerFired(IkeSaResponder.MessageIdSyncTimerKey, T0.AddMinutes(2 + i)))));
        Assert.False(sa.MessageIdSyncPending);

        // A second failover of the same IKE SA: no sync request at all.
        sa = move();
        Assert.Empty(client.GatewayRequests(sa.Handle(new SaResumed(T0.AddMinutes(10)))));
        Assert.False(sa.MessageIdSyncPending);
    }

    [Fact]
    public void No_sync_once_the_peer_has_answered_one_of_our_requests()
    {
        var (sa, client, move, _) = Established(announce: true);
        using var _c = client;
        // A liveness probe of ours (request #0) answered by the client: its response used message ID 0.
        var probe = sa.Handle(new TimerFired(ResponderOptions.LivenessTimerKey, T0.AddHours(1)));
        var (header, _, _) = Assert.Single(client.GatewayRequests(probe));
        Assert.Equal(0u, header.MessageId);
        client.Answer(header, []);

        sa = move();
        Assert.Empty(client.GatewayRequests(sa.Handle(new SaResumed(T0.AddHours(2)))));
        Assert.False(sa.MessageIdSyncPending);
    }
}
