using System.Net;
using Akka.Serialization;
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
    };

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
        }
    }

    private static void AssertSame(IkeDatagram expected, IkeDatagram actual)
    {
        Assert.Equal(expected.Message.ToArray(), actual.Message.ToArray());
        Assert.Equal(expected.Local, actual.Local);
        Assert.Equal(expected.Remote, actual.Remote);
    }
}
