using System.Diagnostics;
using Gateway.Benchmarks;
using Gateway.Ike;

// Times parse, build and parse+build of the typical IKE_AUTH (the decrypted strongSwan request, as in
// CodecBenchmarks) in many ~0.5 ms rounds and prints the minimum and 10th percentile per operation: on a busy
// machine some rounds run uninterrupted, so these approximate a quiet run. Only APIs every codec version has.
//   dotnet CodecAb.dll [rounds]      (run from inside the repository: fixtures are found above the working directory)
int rounds = args.Length > 0 ? int.Parse(args[0]) : 300;
var bytes = Fixtures.IkeAuthDecrypted();
var message = IkeMessage.Parse(bytes).Value ?? throw new InvalidOperationException("fixture does not parse");
var buffer = new byte[bytes.Length];
if (message.WriteTo(buffer) != bytes.Length || !buffer.AsSpan().SequenceEqual(bytes))
    throw new InvalidOperationException("build(parse(bytes)) != bytes");

(string Name, Func<int, int> Loop)[] operations =
[
    ("parse", n => { int s = 0; for (int i = 0; i < n; i++) s += IkeMessage.Parse(bytes).Value!.Payloads.Count; return s; }),
    ("build", n => { int s = 0; for (int i = 0; i < n; i++) s += message.WriteTo(buffer); return s; }),
    ("parse+build", n => { int s = 0; for (int i = 0; i < n; i++) s += IkeMessage.Parse(bytes).Value!.WriteTo(buffer); return s; }),
];
int sink = 0;
foreach (var (name, loop) in operations)
{
    for (int w = 0; w < 400; w++)
        sink += loop(1000); // warm-up by count, not time: tiering needs CPU time a loaded machine may not give
    long before = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    sink += loop(20_000);
    long allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 20_000;
    int n = Math.Max(50, (int)(20_000 * 0.5 / clock.Elapsed.TotalMilliseconds));
    var perOp = new double[rounds];
    for (int r = 0; r < rounds; r++)
    {
        clock.Restart();
        sink += loop(n);
        perOp[r] = clock.Elapsed.TotalNanoseconds / n;
    }
    Array.Sort(perOp);
    Console.WriteLine($"{name,-12} min {perOp[0],7:F1} ns  p10 {perOp[rounds / 10],7:F1} ns  median {perOp[rounds / 2],7:F1} ns  {allocated} B/op");
}
GC.KeepAlive(sink);
