using System.Net;
using Akka.Serialization;
using Gateway.Core.Addresses;
using Gateway.Core.Serialization;
using Gateway.Core.Sessions;
using Gateway.Core.Transport;
using Xunit.Abstractions;

namespace Gateway.Core.Tests.Actors;

/// <summary>Session commands will cross nodes (issue 5): the configured serializer must round-trip them.</summary>
public sealed class SerializerTests(ITestOutputHelper output) : GatewayActorTest(output)
{
    public static TheoryData<SessionCommand> Commands() => new()
    {
        new OpenIkeSa(0x0123456789abcdef, IkeMessages.Init(IkeMessages.Client(7), 0x42)),
        new DeliverToIkeSa(0xfedcba9876543210, new IkeDatagram(new byte[] { 1, 2, 3 },
            new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500), new IPEndPoint(IPAddress.Parse("2001:db8::2"), 61000))),
        new CloseIkeSa(1, "operator: maintenance ü"),
        new DiscardIkeSa(5, "replaced by 0123456789abcdef (INITIAL_CONTACT)"),
        new RedirectIkeSa(2, Gateway.Ike.GatewayIdentity.FromFqdn("vpn2.example.com")),
        new WakeSession(0x0123456789ab0000),
        new ProbeSession(0x0123456789ab0000),
    };

    public static TheoryData<SessionWakeMessage> SessionAnswers() => new()
    {
        new SessionAwake(0x0123456789ab),
        new WakeAfterHandOff(0x0123456789ab),
        new SessionProbed(0x0123456789ab, Running: true),
        new SessionProbed(0x0123456789ab, Running: false),
    };

    [Theory]
    [MemberData(nameof(SessionAnswers))]
    public void Messages_from_sessions_to_the_singletons_round_trip_with_their_session(SessionWakeMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<SessionCommandSerializer>(serializer);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        Assert.Equal(message, back);
    }

    [Fact]
    public void Redirect_replies_round_trip_too()
    {
        var reply = new RedirectReply(3, Gateway.Core.IkeSa.RedirectOutcome.PeerLacksRedirectSupport);
        var serializer = Sys.Serialization.FindSerializerFor(reply);
        Assert.IsType<SessionCommandSerializer>(serializer);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(reply), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, reply));
        Assert.Equal(reply, back);
        Assert.Equal("redirect-reply.v2", Akka.Serialization.Serialization.ManifestFor(serializer, reply));
    }

    [Fact]
    public void A_version_1_redirect_reply_naming_an_SPI_is_read_as_that_SPIs_session()
    {
        // v1 (before session-id routing): spi:u64 | outcome:u8. A node of that version may still answer.
        var serializer = (SessionCommandSerializer)Sys.Serialization.FindSerializerForType(typeof(RedirectReply));
        byte[] v1 = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, (byte)Gateway.Core.IkeSa.RedirectOutcome.Sent];

        var back = Assert.IsType<RedirectReply>(serializer.FromBinary(v1, "redirect-reply.v1"));

        Assert.Equal(new RedirectReply(0x0123456789ab, Gateway.Core.IkeSa.RedirectOutcome.Sent), back);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Session_commands_round_trip_through_the_configured_serializer(SessionCommand command)
    {
        var serializer = Sys.Serialization.FindSerializerFor(command);
        Assert.IsType<SessionCommandSerializer>(serializer);

        var bytes = serializer.ToBinary(command);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, command));

        Assert.Equal(command.GetType(), back.GetType());
        Assert.Equal(command.LocalSpi, ((SessionCommand)back).LocalSpi);
        switch (command, back)
        {
            case (OpenIkeSa a, OpenIkeSa b): AssertSame(a.Datagram, b.Datagram); break;
            case (DeliverToIkeSa a, DeliverToIkeSa b): AssertSame(a.Datagram, b.Datagram); break;
            case (CloseIkeSa a, CloseIkeSa b): Assert.Equal(a.Reason, b.Reason); break;
            case (DiscardIkeSa a, DiscardIkeSa b): Assert.Equal(a.Reason, b.Reason); break;
            case (RedirectIkeSa a, RedirectIkeSa b):
                Assert.Equal(a.Gateway.Type, b.Gateway.Type);
                Assert.Equal(a.Gateway.Value.ToArray(), b.Gateway.Value.ToArray());
                break;
        }
    }

    [Fact]
    public void Address_registry_messages_round_trip_through_the_configured_serializer()
    {
        object[] messages =
        [
            new LeaseRequest(0x0123456789ab, "alice@example.com ü", Ipv4: true, Ipv6: false, ReplaceOthers: true),
            new LeaseGranted(0x0123456789ab, [IPAddress.Parse("10.77.0.9"), IPAddress.Parse("fd77::9")], [7, 0xfffffffffffful]),
            new LeaseGranted(1, [], []),
            new LeaseReleased(0xfedcba987654),
            new LeaseRestored(0x0123456789ab, "alice", [IPAddress.Parse("10.77.0.9")]),
        ];
        foreach (var message in messages)
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<AddressRegistrySerializer>(serializer);
            var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, message));
            switch (message, back)
            {
                case (LeaseRestored a, LeaseRestored b):
                    Assert.Equal((a.Session, a.Identity), (b.Session, b.Identity));
                    Assert.Equal(a.Addresses, b.Addresses);
                    break;
                case (LeaseGranted a, LeaseGranted b):
                    Assert.Equal(a.Session, b.Session);
                    Assert.Equal(a.Addresses, b.Addresses);
                    Assert.Equal(a.Replaced, b.Replaced);
                    break;
                default:
                    Assert.Equal(message, back);
                    break;
            }
        }
    }

    private static void AssertSame(IkeDatagram expected, IkeDatagram actual)
    {
        Assert.Equal(expected.Message.ToArray(), actual.Message.ToArray());
        Assert.Equal(expected.Local, actual.Local);
        Assert.Equal(expected.Remote, actual.Remote);
    }
}
