using System.Diagnostics;
using System.Globalization;

namespace Gateway.Interop.Tests.Lab;

/// <summary>The reference: a strongSwan 5.9.8 gateway (charon + swanctl, kernel-libipsec) from ops/lab/gateway.sh.</summary>
public sealed class StrongSwanGateway : GatewayUnderTest
{
    private string _workDir = "";
    private int _pid;

    public override string Name => "strongSwan";

    public override string LogPath => Path.Combine(_workDir, "charon.log");

    public override bool IsRunning => _pid != 0 && Alive(_pid);

    public override async Task StartAsync(LabTopology lab)
    {
        _workDir = lab.NewDir("gw-strongswan");
        // DPD every 5 s on idle clients: the reference's counterpart of our liveness checks (silent-client scenario).
        await Shell.CheckAsync("bash", [LabEnvironment.Script("gateway.sh"), "start", lab.Prefix, _workDir, lab.PkiDir],
            TimeSpan.FromSeconds(60), "gateway.sh start", new Dictionary<string, string>
            {
                ["GW_DPD_DELAY"] = "5",
                // Cookies from 5 half-open SAs on, as in our gateway's lab configuration (IKE_SA_INIT flood scenario).
                ["LAB_DAEMON_EXTRA"] = "cookie_threshold = 5",
            });
        _pid = int.Parse(File.ReadAllText(Path.Combine(_workDir, "daemon.pid")).Trim(), CultureInfo.InvariantCulture);
    }

    public override int IkeSasEstablished() => Count(@"IKE_SA \S+\[\d+\] established between");

    public override int SilenceNoticedCount() => Count(@"retransmit 1 of request with message ID");

    public override Task<bool> WaitForSilenceNoticedAsync(int before, TimeSpan timeout) =>
        Poll.UntilAsync(() => SilenceNoticedCount() > before, timeout, TimeSpan.FromMilliseconds(200));

    public override async Task<GatewayStop> StopAsync()
    {
        if (_pid == 0)
            return new GatewayStop(false, "never started");
        int pid = _pid;
        if (!Alive(pid))
            return new GatewayStop(false, $"charon (pid {pid}) was no longer running when asked to stop");
        await Shell.SignalAsync(pid, "TERM");
        bool exited = await Poll.UntilAsync(() => !Alive(pid), TimeSpan.FromSeconds(10));
        // Whatever happened, leave nothing running (gateway.sh stop ends with SIGKILL if needed).
        await Shell.RunAsync("bash", [LabEnvironment.Script("gateway.sh"), "stop", _workDir], TimeSpan.FromSeconds(20));
        _pid = 0;
        return exited
            ? new GatewayStop(true, "charon exited after SIGTERM")
            : new GatewayStop(false, "charon still ran 10 s after SIGTERM (killed)");
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException) { return false; }
        catch (IOException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
