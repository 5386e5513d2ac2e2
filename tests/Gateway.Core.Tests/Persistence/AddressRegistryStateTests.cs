using System.Net;
using Gateway.Core.Addresses;
using Gateway.Core.Persistence;

namespace Gateway.Core.Tests.Persistence;

/// <summary>The address registry's journal: encrypted like the session state, versioned, a v1 fixture that must keep decoding.</summary>
public sealed class AddressRegistryStateTests
{
    private const string FixtureKeyHex = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    private static readonly string FixturePath = Path.Combine(AppContext.BaseDirectory, "fixtures", "state", "address-book.v1.b64");
    private static StateKeyRing FixtureRing => new(new StateKey(Convert.FromHexString(FixtureKeyHex)));

    private static readonly AddressBookSnapshot Sample = new(
    [
        new AddressRecord(IPAddress.Parse("10.77.0.2"), "alice@example.com", 0x0123456789ab),
        new AddressRecord(IPAddress.Parse("fd77::2"), "alice@example.com", 0x0123456789ab),
        new AddressRecord(IPAddress.Parse("10.77.0.3"), "bob", null),
    ]);

    public static TheoryData<AddressRegistryEvent> Events() => new()
    {
        new AddressesAssigned(0x0123456789ab, "alice@example.com", [IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")]),
        new AddressesFreed(0xfedcba987654),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Events_round_trip(AddressRegistryEvent e)
    {
        var ring = new StateKeyRing(StateKey.Generate());
        var back = AddressRegistrySerializer.Decode(AddressRegistrySerializer.Encode(e, ring), ring);
        switch (e, back)
        {
            case (AddressesAssigned a, AddressesAssigned b):
                Assert.Equal((a.Session, a.Identity), (b.Session, b.Identity));
                Assert.Equal(a.Addresses, b.Addresses);
                break;
            default:
                Assert.Equal(e, back);
                break;
        }
    }

    [Fact]
    public void Snapshots_round_trip_and_identities_are_not_in_clear()
    {
        var ring = new StateKeyRing(StateKey.Generate());
        var blob = AddressRegistrySerializer.Encode(Sample, ring);
        Assert.Equal(-1, blob.AsSpan().IndexOf("alice@example.com"u8));
        var back = Assert.IsType<AddressBookSnapshot>(AddressRegistrySerializer.Decode(blob, ring));
        Assert.Equal(Sample.Records, back.Records);
    }

    [Fact]
    public void The_checked_in_v1_snapshot_keeps_decoding()
    {
        var blob = Convert.FromBase64String(File.ReadAllText(FixturePath).Trim());
        Assert.Equal(1, blob[0]);
        var back = Assert.IsType<AddressBookSnapshot>(AddressRegistrySerializer.Decode(blob, FixtureRing));
        Assert.Equal(Sample.Records, back.Records);
    }

    [Fact]
    public void A_newer_version_is_refused_with_a_clear_error()
    {
        var ring = new StateKeyRing(StateKey.Generate());
        var blob = StateCipher.Seal(2, 4, new byte[8], ring.Current);
        var e = Assert.Throws<StateFormatException>(() => AddressRegistrySerializer.Decode(blob, ring));
        Assert.Contains("version 2", e.Message);
        Assert.Contains("upgrade", e.Message);
    }

    [Fact]
    public void A_truncated_body_is_a_format_error_not_a_crash()
    {
        var ring = new StateKeyRing(StateKey.Generate());
        var blob = StateCipher.Seal(1, 3, new byte[5], ring.Current);
        Assert.Throws<StateFormatException>(() => AddressRegistrySerializer.Decode(blob, ring));
    }

    /// <summary>Writes the v1 fixture (run once by hand with GATEWAY_WRITE_FIXTURES set; the checked-in file must not change).</summary>
    [Fact]
    public void Write_fixture_when_asked()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_WRITE_FIXTURES") is not { } root)
            return;
        var path = Path.Combine(root, "tests", "fixtures", "state", "address-book.v1.b64");
        File.WriteAllText(path, Convert.ToBase64String(AddressRegistrySerializer.Encode(Sample, FixtureRing)) + "\n");
    }
}
