using System.Text.RegularExpressions;

namespace Gateway.Interop.Tests.Lab;

/// <summary>How a gateway ended when asked to stop.</summary>
public sealed record GatewayStop(bool Clean, string Description);

/// <summary>
/// A gateway running in the lab's gateway namespace: identity gw.lab.example, the lab PKI's certificate, pools
/// 10.99.100.0/24 and fd99:0:0:100::/112, protected subnets = the server subnets, EAP user alice, PSK for
/// psk-client.lab.example, client certificates from the lab CA.
/// </summary>
public abstract class GatewayUnderTest : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>The gateway's own log (stdout/stderr or its log file).</summary>
    public abstract string LogPath { get; }

    public abstract Task StartAsync(LabTopology lab);

    /// <summary>Asks the gateway to stop (SIGTERM) and reports whether it exited cleanly.</summary>
    public abstract Task<GatewayStop> StopAsync();

    /// <summary>Whether the gateway process is still running (a crash shows up here).</summary>
    public abstract bool IsRunning { get; }

    public string LogTail(int lines = 80) => LabLogs.Tail(LogPath, lines);

    /// <summary>IKE SAs the gateway logged as established by IKE_AUTH so far (all clients).</summary>
    public abstract int IkeSasEstablished();

    /// <summary>
    /// Waits until the gateway has noticed that a client went silent: ours marks it dormant after its liveness check
    /// and the retransmissions failed; strongSwan (no dormancy) retransmits its DPD request.
    /// </summary>
    public abstract Task<bool> WaitForSilenceNoticedAsync(int before, TimeSpan timeout);

    /// <summary>A count of the log lines that <see cref="WaitForSilenceNoticedAsync"/> waits for (to compare with later).</summary>
    public abstract int SilenceNoticedCount();

    protected int Count(string pattern) => Regex.Matches(LabLogs.Read(LogPath), pattern).Count;

    public virtual async ValueTask DisposeAsync()
    {
        if (IsRunning)
            await StopAsync();
        GC.SuppressFinalize(this);
    }
}

public static partial class LabLogs
{
    public static string Read(string path)
    {
        try
        {
            // The writer may still hold the file open.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }

    /// <summary>
    /// The last lines of a log, without strongSwan's byte-level encoder chatter (hex dumps, "parsing rule …"), which at
    /// the lab's log levels would fill any tail; the file at <paramref name="path"/> keeps everything.
    /// </summary>
    public static string Tail(string path, int lines)
    {
        string[] all = Read(path).Split('\n').Where(l => !EncoderNoise().IsMatch(l)).ToArray();
        return $"=== {path} (last {Math.Min(lines, all.Length)} lines, encoder dumps omitted) ===\n" +
               string.Join('\n', all.TakeLast(lines));
    }

    [GeneratedRegex(@"\[(ENC|CHD|LIB|KNL|NET|CFG)\] (<[^>]*> )?\s{2,}|\[ENC\] (<[^>]*> )?(parsing|generating) (rule|payload|header|body|\S+ payload)|\[ENC\] (<[^>]*> )?\S+ payload (finished|verified|found)|\[ENC\] (<[^>]*> )?(verifying|process|found an|encrypted payload|starting parsing)|=> \d+ bytes @|parsing header of message|\[ENC\] (<[^>]*> )?parsed a \S+ \S+ header|\[[A-Z]{3}\] (<[^>]*> )?\s+\d+: [0-9A-F]{2} ")]
    private static partial Regex EncoderNoise();
}
