using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Core.IkeSa;
using Gateway.Core.Persistence;
using Gateway.Crypto.Prf;
using Gateway.Ike;

namespace Gateway.Core.Tests.Persistence;

/// <summary>Snapshot serializer: round trip, the checked-in v1, v2 and v3 fixtures, tampering, wrong and rotated keys, key files.</summary>
public sealed class StateSerializerTests
{
    // The fixture key (tests only) and the fixture blob: IkeSaStateSaved(Sample()) sealed by the v1 code.
    private const string FixtureKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static string FixturePath(int version) => Path.Combine(AppContext.BaseDirectory, "fixtures", "state", $"ike-sa-state.v{version}.b64");

    private static StateKeyRing Ring(StateKey key, params StateKey[] older) => new(key, older);

    private static byte[] K(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(seed + i)).ToArray();

    /// <summary>A fixed snapshot with every field set (two children, one replaced, NAT, IPv4 and IPv6).</summary>
    internal static IkeSaSnapshot Sample()
    {
        var local = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 4500);
        var remote = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 61000);
        ChildSaInstallation Child(uint inSpi, uint outSpi, byte seed) => new(inSpi, outSpi, EncryptionAlgorithm.AesCbc, 256,
            IntegrityAlgorithm.HmacSha2_256_128, false, K(32, seed), K(32, (byte)(seed + 1)), K(32, (byte)(seed + 2)), K(32, (byte)(seed + 3)),
            local, remote, true, [IPAddress.Parse("10.10.0.2"), IPAddress.Parse("fd00::2")]);
        IReadOnlyList<Transform> esp = [Transform.Encryption(EncryptionAlgorithm.AesCbc, 256), Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128),
            Transform.Esn(ExtendedSequenceNumbers.No)];
        return new IkeSaSnapshot
        {
            InitiatorSpi = 0x1122334455667788,
            ResponderSpi = 0xa1b2c3d4e5f60001,
            LocalIsOriginalInitiator = false,
            IkeTransforms = [Transform.Encryption(EncryptionAlgorithm.AesCbc, 256), Transform.Prf(PseudorandomFunction.HmacSha2_256),
                Transform.Integrity(IntegrityAlgorithm.HmacSha2_256_128), Transform.KeyExchange(KeyExchangeGroup.Modp2048)],
            Keys = new IkeSaKeyMaterial(PseudorandomFunction.HmacSha2_256, K(32, 1), K(32, 2), K(32, 3), K(32, 4), K(32, 5), K(32, 6), K(32, 7)),
            ExpectedRequestId = 7,
            LastAnsweredId = 6,
            CachedResponse = [K(80, 9), K(40, 10)],
            NextOwnRequestId = 3,
            Local = local,
            Remote = remote,
            IkeUdpEncapsulated = true,
            TrafficLocal = local,
            TrafficRemote = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 4500),
            TrafficUdpEncapsulated = true,
            PeerBehindNat = true,
            LocalBehindNat = false,
            PeerIdentity = "alice@example.com",
            VirtualAddresses = [IPAddress.Parse("10.10.0.2"), IPAddress.Parse("fd00::2")],
            MobikeSupportedByPeer = true,
            FragmentationNegotiated = true,
            PeerSupportsRedirect = false,
            PeerSupportsMessageIdSync = true,
            PeerSupportsReplayCounterSync = true, // layout v3
            IkeRekeyDueUtc = new DateTime(2030, 1, 1, 4, 0, 0, DateTimeKind.Utc),
            Children =
            [
                new ChildSaSnapshot
                {
                    Sa = Child(0x1000, 0xc0000001, 20), Transforms = esp, State = ChildSaSnapshotState.Replaced,
                    LocalTs = [TrafficSelector.FromRange(IPAddress.Parse("0.0.0.0"), IPAddress.Parse("255.255.255.255"))],
                    RemoteTs = [TrafficSelector.ForHost(IPAddress.Parse("10.10.0.2"))],
                    HardDueUtc = new DateTime(2030, 1, 1, 1, 6, 0, DateTimeKind.Utc), OutboundSequenceMark = 1 << 20,
                },
                new ChildSaSnapshot
                {
                    Sa = Child(0x2000, 0xc0000002, 40), Transforms = esp,
                    LocalTs = [TrafficSelector.FromRange(IPAddress.Parse("0.0.0.0"), IPAddress.Parse("255.255.255.255"))],
                    RemoteTs = [TrafficSelector.ForHost(IPAddress.Parse("10.10.0.2"))],
                    SoftDueUtc = new DateTime(2030, 1, 1, 1, 55, 0, DateTimeKind.Utc),
                    HardDueUtc = new DateTime(2030, 1, 1, 2, 6, 0, DateTimeKind.Utc),
                    InboundSequenceMark = 70_000, // layout v2
                },
                new ChildSaSnapshot { Sa = Child(0x3000, 0xc0000003, 60) }, // no recorded life
            ],
        };
    }

    private static byte[] Plain(IkeSaSnapshot s) => IkeSaSnapshotCodec.Write(s);

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var ring = Ring(StateKey.Generate());
        var blob = SessionStateSerializer.Encode(new IkeSaStateSaved(Sample()), ring);
        var back = Assert.IsType<IkeSaStateSaved>(SessionStateSerializer.Decode(blob, ring)).Snapshot;
        Assert.Equal(Plain(Sample()), Plain(back));
        Assert.Equal(Sample().Children[1].Sa.InboundEncryptionKey, back.Children[1].Sa.InboundEncryptionKey);
        Assert.Equal(6u, back.LastAnsweredId);
        Assert.Equal(ChildSaSnapshotState.Replaced, back.Children[0].State);
        Assert.Null(back.Children[2].Transforms);
        var deleted = SessionStateSerializer.Decode(SessionStateSerializer.Encode(new IkeSaStateDeleted("bye"), ring), ring);
        Assert.Equal(new IkeSaStateDeleted("bye"), deleted);
    }

    [Fact]
    public void Key_material_and_identity_are_not_in_the_blob_in_clear()
    {
        var blob = SessionStateSerializer.Encode(new IkeSaStateSaved(Sample()), Ring(StateKey.Generate()));
        Assert.Equal(-1, blob.AsSpan().IndexOf(K(32, 1)));
        Assert.Equal(-1, blob.AsSpan().IndexOf("alice@example.com"u8));
    }

    [Fact]
    public void The_checked_in_v1_blob_keeps_decoding_without_inbound_marks()
    {
        var back = DecodeFixture(1);
        var expected = Sample() with
        {
            Children = Sample().Children.Select(c => c with { InboundSequenceMark = 0 }).ToArray(),
            PeerSupportsReplayCounterSync = false,
        };
        Assert.Equal(Plain(expected), Plain(back));
        Assert.All(back.Children, c => Assert.Equal(0ul, c.InboundSequenceMark));
    }

    [Fact]
    public void The_checked_in_v2_blob_keeps_decoding_without_replay_counter_sync_support()
    {
        var back = DecodeFixture(2);
        Assert.Equal(Plain(Sample() with { PeerSupportsReplayCounterSync = false }), Plain(back));
        Assert.Equal(70_000ul, back.Children[1].InboundSequenceMark);
        Assert.False(back.PeerSupportsReplayCounterSync);
    }

    [Fact]
    public void The_checked_in_v3_blob_keeps_decoding()
    {
        var back = DecodeFixture(3);
        Assert.Equal(Plain(Sample()), Plain(back));
        Assert.True(back.PeerSupportsReplayCounterSync);
    }

    private static IkeSaSnapshot DecodeFixture(int version)
    {
        var ring = Ring(new StateKey(Convert.FromHexString(FixtureKeyHex)));
        var blob = Convert.FromBase64String(File.ReadAllText(FixturePath(version)).Trim());
        Assert.Equal(version, blob[0]);
        return Assert.IsType<IkeSaStateSaved>(SessionStateSerializer.Decode(blob, ring)).Snapshot;
    }

    [Fact]
    public void A_newer_version_is_refused_with_a_clear_error()
    {
        var ring = Ring(StateKey.Generate());
        var blob = StateCipher.Seal(IkeSaSnapshotCodec.Current + 1, 1, Plain(Sample()), ring.Current);
        var e = Assert.Throws<StateFormatException>(() => SessionStateSerializer.Decode(blob, ring));
        Assert.Contains($"version {IkeSaSnapshotCodec.Current + 1}", e.Message);
    }

    [Theory]
    [InlineData(0)]   // version: associated data
    [InlineData(7)]   // nonce
    [InlineData(25)]  // tag
    [InlineData(100)] // ciphertext
    public void Tampering_anywhere_is_detected(int at)
    {
        var ring = Ring(StateKey.Generate());
        var blob = SessionStateSerializer.Encode(new IkeSaStateSaved(Sample()), ring);
        blob[at] ^= 0x01;
        var e = Assert.Throws<StateFormatException>(() => SessionStateSerializer.Decode(blob, ring));
        Assert.Contains("authentication", e.Message);
    }

    [Fact]
    public void A_wrong_key_is_refused_and_rotation_reads_old_blobs_and_writes_with_the_new_key()
    {
        var old = StateKey.Generate();
        var blob = SessionStateSerializer.Encode(new IkeSaStateSaved(Sample()), Ring(old));
        var other = StateKey.Generate();
        var e = Assert.Throws<StateFormatException>(() => SessionStateSerializer.Decode(blob, Ring(other)));
        Assert.Contains("not configured", e.Message);
        Assert.DoesNotContain(Convert.ToHexString(old.Key), e.Message, StringComparison.OrdinalIgnoreCase);

        var rotated = Ring(other, old);
        var read = SessionStateSerializer.Decode(blob, rotated);
        var rewritten = SessionStateSerializer.Encode(read, rotated);
        Assert.Equal(other.Id, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rewritten.AsSpan(2)));
        Assert.Throws<StateFormatException>(() => SessionStateSerializer.Decode(rewritten, Ring(old)));
    }

    [Fact]
    public void Key_sources_environment_file_and_a_generated_0600_dev_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gw-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (generated, path, wasGenerated) = StateKeyFile.Load(null, null, dir);
            Assert.True(wasGenerated);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var (again, _, second) = StateKeyFile.Load(null, null, dir);
            Assert.False(second);
            Assert.Equal(generated.Id, again.Id);
            Assert.Equal(generated.Id, StateKeyFile.Load(null, path, "/nonexistent").Key.Id);
            var b64 = Convert.ToBase64String(Convert.FromHexString(FixtureKeyHex));
            Assert.Equal(new StateKey(Convert.FromHexString(FixtureKeyHex)).Id, StateKeyFile.Load(b64, path, dir).Key.Id);
            var bad = Assert.Throws<StateFormatException>(() => StateKeyFile.Load("not-a-key", null, dir));
            Assert.Contains(StateKeyFile.EnvironmentVariable, bad.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes the current layout's fixture (run once by hand with GATEWAY_WRITE_FIXTURES set, when a layout is added; checked-in files must not change).</summary>
    [Fact]
    public void Write_fixture_when_asked()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_WRITE_FIXTURES") is not { } root)
            return;
        var blob = SessionStateSerializer.Encode(new IkeSaStateSaved(Sample()), Ring(new StateKey(Convert.FromHexString(FixtureKeyHex))));
        var path = Path.Combine(root, "tests", "fixtures", "state", $"ike-sa-state.v{IkeSaSnapshotCodec.Current}.b64");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Convert.ToBase64String(blob) + "\n");
    }
}
