using System.Security.Cryptography;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>
/// An established IKE SA exported, restored into a fresh machine (another node's services) and continued with the
/// same keys: liveness, retransmission, child rekey, child delete, IKE SA rekey and delete. Half-open SAs export nothing.
/// </summary>
public sealed class SnapshotTests
{
    private const uint ClientSpi = 0xABC00001;
    private static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A client talking to whichever machine <see cref="Sa"/> currently is (the original, then the restored one).</summary>
    private sealed class Moving : IDisposable
    {
        public Moving()
        {
            Gateway = new TestGateway();
            Sa = new IkeSaResponder(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1, Gateway.Policy, Gateway.Services);
            Client = new TestInitiator((d, now) => Sa.Handle(new MessageReceived(d, now))) { Now = T0 };
        }

        public TestGateway Gateway { get; }
        public IkeSaResponder Sa { get; set; }
        public TestInitiator Client { get; }

        public void Dispose()
        {
            Sa.Dispose();
            Client.Dispose();
        }
    }

    private static (Moving M, ChildSaInstallation First) Established()
    {
        var m = new Moving();
        m.Client.SaInit("aes256-sha256-modp2048");
        Assert.Null(m.Sa.TryExportSnapshot()); // half-open: never persisted
        var round = m.Client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk,
            TestInitiator.ChildPayloads("aes256-sha256", ClientSpi, TestInitiator.AddressRequest(v6: false)));
        return (m, round.Step.Single<ChildSaEstablished>().Sa);
    }

    /// <summary>Exports, restores on a new node's services, resumes at <paramref name="now"/>; returns the resume step.</summary>
    private static (IkeSaStep Step, TestGateway Node) MoveToNewNode(Moving m, DateTime now, ulong mark = 0, ulong inboundMark = 0)
    {
        var snapshot = m.Sa.TryExportSnapshot()!;
        if (mark != 0 || inboundMark != 0)
            snapshot = snapshot with
            {
                Children = snapshot.Children.Select(c => c with { OutboundSequenceMark = mark, InboundSequenceMark = inboundMark }).ToArray(),
            };
        m.Sa.Dispose(); // the old node is gone (its keys zeroed: the snapshot must not share arrays with it)
        var node = new TestGateway();
        m.Sa = IkeSaResponder.Restore(snapshot, node.Policy, node.Services);
        return (m.Sa.Handle(new SaResumed(now)), node);
    }

    [Fact]
    public void Restored_SA_answers_liveness_rekeys_a_child_and_deletes_with_the_same_keys()
    {
        var (m, first) = Established();
        using var _ = m;
        var (resumed, node) = MoveToNewNode(m, T0.AddMinutes(10), mark: 1 << 20, inboundMark: 70_000);

        Assert.Equal(TestGateway.PskIdentity, resumed.Single<IkeSaEstablished>().PeerIdentity);
        var reinstalled = resumed.Single<ChildSaEstablished>().Sa;
        Assert.Equal(first.InboundSpi, reinstalled.InboundSpi);
        Assert.Equal(first.OutboundSpi, reinstalled.OutboundSpi);
        Assert.Equal(first.InboundEncryptionKey, reinstalled.InboundEncryptionKey);
        Assert.Equal(first.OutboundIntegrityKey, reinstalled.OutboundIntegrityKey);
        Assert.Equal(first.RemoteInnerAddresses, reinstalled.RemoteInnerAddresses);
        Assert.Equal(1ul << 20, reinstalled.OutboundSequenceStart);
        Assert.Equal(70_000ul, reinstalled.InboundSequenceStart); // the data plane's replay window starts there
        Assert.Equal(70_000ul, m.Sa.TryExportSnapshot()!.Children.Single().InboundSequenceMark); // and it is saved again
        Assert.Equal(1, node.Services.EspSpisInUse); // the new node will not hand out the restored SPI again
        // Nor the restored virtual address: another client gets another one, and so does a second client of the same
        // identity while the restored SA holds it; released, it is the identity's again.
        var restoredAddress = Assert.Single(m.Sa.VirtualAddresses);
        Assert.DoesNotContain(restoredAddress, node.Services.LeaseAddresses("someone-else", wantIpv4: true, wantIpv6: false));
        var concurrent = node.Services.LeaseAddresses(TestGateway.PskIdentity, wantIpv4: true, wantIpv6: false);
        Assert.DoesNotContain(restoredAddress, concurrent);
        node.Services.ReleaseAddresses(TestGateway.PskIdentity, concurrent);
        node.Services.ReleaseAddresses(TestGateway.PskIdentity, [restoredAddress]);
        Assert.Contains(node.Services.LeaseAddresses(TestGateway.PskIdentity, wantIpv4: true, wantIpv6: false).Single(), new[] { restoredAddress, concurrent[0] });
        node.Services.ReclaimAddresses(TestGateway.PskIdentity, [restoredAddress]); // back as the restored SA had it
        Assert.Contains(resumed.Timers, t => t.Key == ResponderOptions.LivenessTimerKey);
        Assert.Contains(resumed.Timers, t => t.Key == "ike-rekey" && t.After < TimeSpan.FromHours(4) - TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var hard = Assert.Single(resumed.Timers, t => t.Key.StartsWith("child-hard:", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromMinutes(56), hard.After); // 66 min hard lifetime, 10 of them gone before the move

        m.Client.Now = T0.AddMinutes(10);
        var liveness = m.Client.Request(ExchangeType.Informational, []);
        Assert.NotNull(liveness.Response);

        // A retransmission of the last request before the move is answered from the restored cache.
        var again = m.Client.Deliver(liveness.Request);
        Assert.Single(TestInitiator.ResponsesTo(again, m.Client.NextMessageId - 1));

        var (rekey, keys) = m.Client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00002, ClientSpi));
        Assert.Null(rekey.Response!.OfType<NotifyPayload>().FirstOrDefault(n => n.IsError));
        var rekeyed = rekey.Step.Single<ChildSaRekeyed>();
        Assert.Equal(first.InboundSpi, rekeyed.OldInboundSpi);
        Assert.Equal(keys!.EncryptionInitiatorToResponder, rekeyed.NewSa.InboundEncryptionKey);
        Assert.Equal(keys.EncryptionResponderToInitiator, rekeyed.NewSa.OutboundEncryptionKey);

        var delete = m.Client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [ClientSpi])]);
        Assert.Equal(first.InboundSpi, delete.Step.Single<ChildSaDeleted>().InboundSpi);
        Assert.Equal([rekeyed.NewSa.InboundSpi], m.Sa.ActiveChildSaSpis);

        var close = m.Client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]);
        Assert.NotNull(close.Response);
        Assert.True(close.Step.Terminated);
    }

    [Fact]
    public void Snapshot_after_rekeys_keeps_the_new_IKE_SA_and_the_child_that_replaced_the_first()
    {
        var (m, _) = Established();
        using var _m = m;
        var (ikeRekey, old, _) = m.Client.RekeyIkeSa("aes256-sha256-modp2048");
        Assert.NotNull(old);
        var current = m.Client.Use(old!); // the old SA's Delete, as a client sends it, then back on the new SA
        Assert.True(m.Client.Request(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])]).Step.All<IkeSaSpiRetired>().Any());
        m.Client.Use(current);
        MoveToNewNode(m, T0.AddMinutes(1));
        Assert.NotNull(m.Client.Request(ExchangeType.Informational, []).Response);
        var (child, _) = m.Client.CreateChild(TestInitiator.OfferChild("aes256-sha256", 0xABC00003, null));
        Assert.Single(child.Step.All<ChildSaEstablished>());
    }

    [Fact]
    public void A_Deleting_child_is_deleted_again_after_the_move_and_resume_happens_once()
    {
        var (m, first) = Established(); // a SA whose child we rekeyed ourselves: the old one waits for our Delete
        using var _m = m;
        var soft = $"child-soft:{first.InboundSpi:x8}";
        var step = m.Sa.Handle(new TimerFired(soft, T0.AddMinutes(55)));
        var request = m.Client.GatewayRequests(step).Single();
        var (answered, _, _, _, _) = m.Client.AnswerChildRekey(request.Datagram, 0xABC00002);
        Assert.Single(answered.All<ChildSaRekeyed>());
        // The gateway's Delete of the old child went out; the node dies before the answer.
        Assert.Single(m.Client.GatewayRequests(answered));

        var (resumed, _) = MoveToNewNode(m, T0.AddMinutes(56));
        Assert.Equal(2, resumed.All<ChildSaEstablished>().Count());
        var delete = m.Client.GatewayRequests(resumed).Single();
        Assert.Equal([first.InboundSpi], delete.Payloads.OfType<DeletePayload>().Single().Spis);
        Assert.Same(IkeSaStep.Nothing, m.Sa.Handle(new SaResumed(T0.AddMinutes(57))));
    }
}
