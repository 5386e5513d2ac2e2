using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Gateway.Interop.Tests.Lab;

/// <summary>
/// A TCP upload from the client namespace to the server that runs for a while: random bytes sent in chunks with short
/// pauses (dd + sleep into nc), so that something can happen to the tunnel while it runs (a move, a NAT rebinding, a
/// rekey). Progress is what the server has written so far; at the end the server's copy must have the SHA-256 of the
/// original and must have come from the client's virtual IP.
/// </summary>
public sealed class PacedUpload
{
    private readonly Task<CommandResult> _listener;
    private readonly Task<CommandResult> _sender;
    private readonly string _dir;
    private readonly string _atServer;
    private readonly string _want;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private PacedUpload(int bytes, string dir, string atServer, string want, Task<CommandResult> listener, Task<CommandResult> sender)
    {
        Bytes = bytes;
        _dir = dir;
        _atServer = atServer;
        _want = want;
        _listener = listener;
        _sender = sender;
    }

    public int Bytes { get; }

    /// <summary>Bytes the server has received so far.</summary>
    public long Received
    {
        get
        {
            try { return new FileInfo(_atServer).Length; }
            catch (IOException) { return 0; }
        }
    }

    public bool Finished => _listener.IsCompleted;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Received} of {Bytes} bytes at the server after {_clock.Elapsed.TotalSeconds:0.0} s");

    /// <summary>
    /// Starts the upload of <paramref name="bytes"/> random bytes in <paramref name="chunk"/>-byte pieces with
    /// <paramref name="pause"/> between them (about bytes/chunk × pause in all, when the tunnel keeps up).
    /// </summary>
    public static async Task<PacedUpload> StartAsync(LabTopology lab, string server, int bytes, int chunk = 64 * 1024,
        double pause = 0.05)
    {
        string dir = lab.NewDir("paced");
        string original = Path.Combine(dir, "original.bin");
        string atServer = Path.Combine(dir, "at-server.bin");
        byte[] data = RandomNumberGenerator.GetBytes(bytes);
        await File.WriteAllBytesAsync(original, data);
        string want = Convert.ToHexString(SHA256.HashData(data));
        int port = Traffic.NextPort();
        Task<CommandResult> listener = await Traffic.ListenAsync(lab, server, port,
            $"nc -n -v -d -l {server} {port} > '{atServer}'", TimeSpan.FromSeconds(180));
        int chunks = (bytes + chunk - 1) / chunk;
        string sender = string.Create(CultureInfo.InvariantCulture,
            $"i=0; while [ $i -lt {chunks} ]; do dd if='{original}' bs={chunk} skip=$i count=1 status=none; i=$((i+1)); " +
            $"sleep {pause}; done | nc -n -N -w 60 {server} {port}");
        Task<CommandResult> send = lab.ExecAsync(lab.ClientNs, TimeSpan.FromSeconds(180), "sh", "-c", sender);
        return new PacedUpload(bytes, dir, atServer, want, listener, send);
    }

    /// <summary>Waits until the server has at least <paramref name="bytes"/> bytes (fails if the upload ended before).</summary>
    public async Task WaitForAsync(long bytes, TimeSpan timeout)
    {
        bool reached = await Poll.UntilAsync(() => Received >= bytes || Finished, timeout, TimeSpan.FromMilliseconds(50));
        if (!reached)
            throw new LabException($"upload stalled: wanted {bytes} bytes at the server within {timeout.TotalSeconds:0} s; {Describe()}");
        if (Received < bytes)
            throw new LabException($"upload ended early: {Describe()}; sender: {(_sender.IsCompleted ? (await _sender).Describe() : "running")}");
    }

    /// <summary>
    /// Asserts the upload is still under way (something that just happened to the tunnel happened during the transfer).
    /// </summary>
    public void AssertStillRunning(string what)
    {
        if (Finished || Received >= Bytes)
            throw new LabException($"the upload was already over when {what} completed ({Describe()}): the transfer did " +
                                   "not run across it; the pacing is too fast for this machine");
    }

    /// <summary>Waits for the end; the server's copy must be complete and intact, from <paramref name="expectedSource"/>.</summary>
    public async Task<string> CompleteAsync(IPAddress expectedSource, TimeSpan timeout)
    {
        Task all = Task.WhenAll(_listener, _sender);
        if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
            throw new LabException($"the upload did not finish within {timeout.TotalSeconds:0} s: {Describe()}");
        CommandResult send = await _sender;
        CommandResult listen = await _listener;
        if (!send.Succeeded)
            throw new LabException($"upload: the client's sender failed ({Describe()}): {send.Describe()}");
        if (!listen.Succeeded)
            throw new LabException($"upload: the server's nc failed ({Describe()}): {listen.Describe()}");
        Traffic.AssertSource(listen.StdErr, expectedSource, "paced upload");
        string got = Traffic.Hash(_atServer);
        if (got != _want)
            throw new LabException($"paced upload: the server received {Received} bytes with SHA-256 {got}, sent {Bytes} " +
                                   $"bytes with SHA-256 {_want}");
        string result = string.Create(CultureInfo.InvariantCulture,
            $"{Bytes} bytes uploaded intact (SHA-256 {_want[..16]}…) in {_clock.Elapsed.TotalSeconds:0.0} s");
        Directory.Delete(_dir, recursive: true);
        return result;
    }
}
