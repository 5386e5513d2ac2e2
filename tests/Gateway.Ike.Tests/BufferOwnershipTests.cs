using System.Runtime.InteropServices;

namespace Gateway.Ike.Tests;

/// <summary>
/// Who owns the bytes a parsed message points into: <c>Parse</c> copies (the caller may reuse its buffer),
/// <c>ParseWithoutCopy</c> slices the caller's buffer; and writers that fill length fields after writing.
/// </summary>
public class BufferOwnershipTests
{
    [Fact]
    public void Parse_copies_so_the_caller_may_reuse_its_buffer()
    {
        var bytes = TestData.SaInitRequest().ToArray();
        var message = IkeMessage.Parse(bytes).Value!;
        var expected = message.ToArray();
        Array.Fill(bytes, (byte)0xEE);
        Assert.Equal(expected, message.ToArray());
    }

    [Fact]
    public void ParseWithoutCopy_gives_the_same_message_with_bodies_in_the_callers_buffer()
    {
        int sliced = 0;
        foreach (var fixture in FixtureFiles.LoadAll())
        {
            var bytes = fixture.Bytes.ToArray();
            var copied = IkeMessage.Parse(bytes);
            var result = IkeMessage.ParseWithoutCopy(bytes);
            Assert.True(result.IsSuccess, $"{fixture.RelativePath}: {result}");
            DeepEqual.AssertEqual(copied.Value, result.Value);
            Assert.Equal(bytes, result.Value!.ToArray());
            var last = result.Value.Payloads[^1];
            var body = last switch
            {
                EncryptedPayload sk => sk.Body,
                EncryptedFragmentPayload skf => skf.Body,
                NotifyPayload n => n.Data,
                _ => default,
            };
            if (body.Length > 0)
            {
                Assert.True(MemoryMarshal.TryGetArray(body, out var segment), fixture.RelativePath);
                Assert.Same(bytes, segment.Array);
                sliced++;
            }
        }
        Assert.True(sliced > 10, $"only {sliced} fixtures had a body to check");
    }

    [Fact]
    public void ParseWithoutCopy_of_a_decrypted_chain_matches_Parse_and_checks_size_and_errors_alike()
    {
        var inner = TestData.AuthRequestInner();
        var chain = new byte[PayloadChain.GetSize(inner)];
        PayloadChain.Write(chain, inner);
        var copied = PayloadChain.Parse(inner[0].Type, chain);
        var sliced = PayloadChain.ParseWithoutCopy(inner[0].Type, chain);
        Assert.True(sliced.IsSuccess, sliced.ToString());
        DeepEqual.AssertEqual(copied.Value, sliced.Value);

        Assert.Equal(IkeParseError.MessageTooLarge,
            PayloadChain.ParseWithoutCopy(inner[0].Type, new byte[IkeLimits.MaxMessageLength + 1]).Error);
        var truncated = chain.AsMemory(0, chain.Length - 1);
        Assert.Equal(PayloadChain.Parse(inner[0].Type, truncated.Span).Failure, PayloadChain.ParseWithoutCopy(inner[0].Type, truncated).Failure);
    }

    [Fact]
    public void Empty_status_notifies_parse_to_shared_instances_that_keep_no_critical_bit_and_no_buffer()
    {
        Payload[] chain =
        [
            NotifyPayload.Create(NotifyType.InitialContact) with { Critical = true },
            NotifyPayload.Create(NotifyType.InitialContact),
            NotifyPayload.Create(NotifyType.MobikeSupported),
            NotifyPayload.Create(NotifyType.AdditionalIp4Address, new byte[] { 192, 0, 2, 1 }),
            NotifyPayload.CreateForChild(NotifyType.RekeySa, ProtocolId.Esp, 0x01020304),
            NotifyPayload.Create(NotifyType.AuthenticationFailed),
        ];
        var bytes = new byte[PayloadChain.GetSize(chain)];
        PayloadChain.Write(bytes, chain);

        var first = PayloadChain.Parse(PayloadType.Notify, bytes).Value!;
        var second = PayloadChain.Parse(PayloadType.Notify, bytes).Value!;
        DeepEqual.AssertEqual(chain, first);
        Assert.Equal(chain[1], first[1]); // even by record equality: the shared ones hold default (empty) SPI and data
        Assert.True(first[0].Critical);
        Assert.False(first[1].Critical); // the critical copy above did not change the shared instance
        Assert.Same(first[1], second[1]);
        Assert.Same(first[2], second[2]);
        Assert.NotSame(first[3], second[3]); // data, SPI or an error type: parsed afresh
        Assert.NotSame(first[4], second[4]);
        Assert.NotSame(first[5], second[5]);
        Assert.Equal(new byte[] { 192, 0, 2, 1 }, ((NotifyPayload)first[3]).Data.ToArray());
    }

    [Fact]
    public void Writing_into_a_too_short_destination_throws()
    {
        var message = TestData.SaInitRequest();
        int size = message.GetSize();
        Assert.Equal(size, message.WriteTo(new byte[size]));
        Assert.ThrowsAny<ArgumentException>(() => message.WriteTo(new byte[size - 1]));
        Assert.ThrowsAny<ArgumentException>(() => message.WriteTo(new byte[20]));
        var inner = TestData.AuthRequestInner();
        Assert.ThrowsAny<ArgumentException>(() => PayloadChain.Write(new byte[PayloadChain.GetSize(inner) - 1], inner));
    }

    [Fact]
    public void Encrypted_layout_rejects_a_destination_without_room_for_the_reserved_body()
    {
        var header = TestData.Header(ExchangeType.IkeAuth, false, 1);
        int size = EncryptedMessageLayout.GetSize([], 64);
        EncryptedMessageLayout.Write(new byte[size], header, [], PayloadType.IdentificationInitiator, 64);
        Assert.ThrowsAny<ArgumentException>(() =>
            EncryptedMessageLayout.Write(new byte[size - 1], header, [], PayloadType.IdentificationInitiator, 64));
    }
}
