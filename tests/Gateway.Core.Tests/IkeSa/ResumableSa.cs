using System.Security.Cryptography;
using Gateway.Core.IkeSa;
using Gateway.Ike;

namespace Gateway.Core.Tests.IkeSa;

/// <summary>
/// An IKE SA established by a PSK client that announced RFC 6311 support as asked, which a test can move to another
/// node through its snapshot (<see cref="Move"/>: the previous machine is disposed, a fresh node restores it).
/// </summary>
internal sealed class ResumableSa
{
    public static readonly DateTime T0 = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private ResumableSa(IkeSaResponder sa, TestInitiator client, Round auth)
    {
        Sa = sa;
        Client = client;
        Auth = auth;
    }

    /// <summary>The machine now serving the SA (the restored one after <see cref="Move"/>).</summary>
    public IkeSaResponder Sa { get; private set; }
    public TestInitiator Client { get; }
    public Round Auth { get; }

    public static ResumableSa Establish(bool messageIdSync, bool replayCounterSync = false)
    {
        var gateway = new TestGateway();
        var sa = new IkeSaResponder(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1, gateway.Policy, gateway.Services);
        ResumableSa? established = null;
        var client = new TestInitiator((d, now) => (established?.Sa ?? sa).Handle(new MessageReceived(d, now))) { Now = T0 };
        client.SaInit("aes256-sha256-modp2048");
        var child = TestInitiator.ChildPayloads("aes256-sha256", 0xABC00001, TestInitiator.AddressRequest(v6: false)).ToList();
        if (messageIdSync)
            child.Add(NotifyPayload.Create(NotifyType.Ikev2MessageIdSyncSupported));
        if (replayCounterSync)
            child.Add(NotifyPayload.Create(NotifyType.IpsecReplayCounterSyncSupported));
        var auth = client.AuthenticateWithPsk(TestGateway.PskIdentity, TestGateway.Psk, child);
        established = new ResumableSa(sa, client, auth);
        return established;
    }

    /// <summary>Moves the SA to a fresh node; <paramref name="persisted"/> sets what the journal held (e.g. inbound marks).</summary>
    public IkeSaResponder Move(Func<IkeSaSnapshot, IkeSaSnapshot>? persisted = null)
    {
        var snapshot = Sa.TryExportSnapshot()!;
        if (persisted is not null)
            snapshot = persisted(snapshot);
        Sa.Dispose();
        var node = new TestGateway();
        Sa = IkeSaResponder.Restore(snapshot, node.Policy, node.Services);
        return Sa;
    }
}
