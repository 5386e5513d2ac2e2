using System.Buffers.Binary;
using System.Diagnostics;

namespace Gateway.Ike.Tests;

/// <summary>
/// Over a million random mutations of real packets: parsing must return (success or a typed error), never throw,
/// never hang. Runs on its own thread so a hang fails the test at the deadline instead of blocking the run.
/// </summary>
public class MutationTests
{
    private const int Mutations = 1_000_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public void A_million_mutations_never_throw_or_hang()
    {
        var seeds = FixtureFiles.LoadAll().Select(f => f.Bytes).Concat(TestData.All().Select(s => s.Message.ToArray())).ToArray();
        Assert.NotEmpty(seeds);
        Exception? failure = null;
        int done = 0;
        var errors = new int[Enum.GetValues<IkeParseError>().Length];
        var sw = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            var r = new Random(424242);
            var buffer = new byte[IkeLimits.MaxMessageLength];
            try
            {
                for (; done < Mutations; done++)
                {
                    var seed = seeds[r.Next(seeds.Length)];
                    int length = Mutate(r, seed, buffer);
                    var span = buffer.AsSpan(0, length);
                    var result = IkeMessage.Parse(span);
                    errors[(int)result.Error]++;
                    IkeHeader.TryParse(span, out _, out _);
                    EncryptedMessageLayout.TryLocate(span, out _);
                    if (result.IsSuccess)
                    {
                        // Whatever parses must rebuild and describe without exceptions.
                        _ = result.Value!.ToArray();
                        _ = IkeMessageDescription.Describe(result.Value);
                    }
                    if (length > 28)
                        PayloadChain.Parse((PayloadType)span[16], span[28..]);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = "mutation-test" };
        thread.Start();
        bool finished = thread.Join(Deadline);
        Assert.True(finished, $"hang: only {done} mutations within {Deadline}");
        Assert.Null(failure);
        Assert.Equal(Mutations, done);
        Assert.True(errors[(int)IkeParseError.None] > 0, "no mutation parsed at all");
        Assert.True(errors.Count(c => c > 0) > 8, "mutations reached too few error kinds");
        Console.WriteLine($"mutation test: {Mutations} mutations in {sw.Elapsed.TotalSeconds:F1}s; " +
                          string.Join(", ", Enum.GetValues<IkeParseError>().Select(e => $"{e}={errors[(int)e]}")));
    }

    private static int Mutate(Random r, byte[] seed, byte[] buffer)
    {
        seed.CopyTo(buffer, 0);
        int length = seed.Length;
        int rounds = r.Next(1, 4);
        for (int i = 0; i < rounds; i++)
        {
            switch (r.Next(7))
            {
                case 0: // bit flip
                    buffer[r.Next(length)] ^= (byte)(1 << r.Next(8));
                    break;
                case 1: // byte overwrite
                    buffer[r.Next(length)] = (byte)r.Next(256);
                    break;
                case 2: // truncation
                    length = r.Next(0, length + 1);
                    if (length == 0) return 0;
                    break;
                case 3: // extension with random bytes
                    int extra = Math.Min(r.Next(1, 64), buffer.Length - length);
                    r.NextBytes(buffer.AsSpan(length, extra));
                    length += extra;
                    break;
                case 4: // a 16-bit length field somewhere gets a nearby or random value
                    if (length >= 2)
                    {
                        int at = r.Next(length - 1);
                        ushort v = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(at));
                        v = r.Next(2) == 0 ? (ushort)(v + r.Next(-8, 9)) : (ushort)r.Next(65536);
                        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), v);
                    }
                    break;
                case 5: // payload type change (header next payload or any byte) to a payload type value
                    buffer[r.Next(2) == 0 && length > 16 ? 16 : r.Next(length)] = (byte)r.Next(0, 60);
                    break;
                default: // keep the header length consistent so mutations reach the payload parsers
                    if (length >= 28)
                        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(24), (uint)length);
                    break;
            }
        }
        if (length >= 28 && r.Next(2) == 0)
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(24), (uint)length);
        return length;
    }
}
