using Gateway.LoadTest.Options;
using Gateway.LoadTest.Profiles;
using Gateway.LoadTest.Report;
using Gateway.LoadTest.Running;

namespace Gateway.LoadTest;

/// <summary>Exit codes: 0 every tunnel established; 1 the run finished with failures or aborts; 2 bad options or unreachable target.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parsed = OptionParser.Parse(args);
        if (parsed.Help)
        {
            Console.Out.WriteLine(OptionParser.Usage);
            return 0;
        }
        if (parsed.Options is not { } options)
            return Usage(parsed.Error!);
        var profile = LoadProfile.Find(options.Profile)!;
        try
        {
            var credentials = Credentials.Load(options, profile);
            var sources = Preflight.SourceAddresses(options);
            await Preflight.ProbeAsync(options.Target, sources[0],
                LoadRunner.SettingsFor(profile, credentials, new System.Net.IPEndPoint(sources[0], 1), options), TimeSpan.FromSeconds(5));
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true; // Ctrl-C ends the run early, with a report
                cancel.Cancel();
            };
            bool interactive = !Console.IsErrorRedirected;
            Action<string>? progress = options.Quiet ? null : line =>
            {
                if (interactive)
                    Console.Error.Write("\r" + line + "\u001b[K");
                else
                    Console.Error.WriteLine(line);
            };
            var report = await new LoadRunner(options, profile, credentials, sources, progress).RunAsync(cancel.Token);
            if (interactive && progress is not null)
                Console.Error.WriteLine();
            if (options.ReportDir is not null)
                ReportWriter.Write(options.ReportDir, report);
            Console.Out.WriteLine($"established {report.Established}/{report.Attempted}, failed {report.Failed}, aborted {report.Aborted}; " +
                                  $"{report.HandshakesPerSecond} handshakes/s; latency p50 {report.Latency.P50Ms} ms p99 {report.Latency.P99Ms} ms; " +
                                  $"CPU {report.Cpu.PerHandshakeMs} ms per handshake");
            if (report.Esp is { } esp)
                Console.Out.WriteLine($"esp: {esp.PacketsReceived}/{esp.PacketsSent} echo replies ({esp.LossPercent} % lost) from {esp.Tunnels} tunnels; " +
                                      $"{esp.ReceivedPerSecond} packets/s, {esp.ReceivedMbitPerSecond} Mbit/s received (inner)");
            if (report.Exchanges is { } x && (x.Roams.Attempted + x.ChildRekeys.Attempted + x.IkeRekeys.Attempted + x.GatewayChildRekeys + x.GatewayIkeRekeys) > 0)
                Console.Out.WriteLine($"roams {x.Roams.Succeeded}/{x.Roams.Attempted} (p50 {x.Roams.P50Ms} ms); rekeys: child {x.ChildRekeys.Succeeded}/{x.ChildRekeys.Attempted}, " +
                                      $"IKE {x.IkeRekeys.Succeeded}/{x.IkeRekeys.Attempted}, by the gateway {x.GatewayChildRekeys} child / {x.GatewayIkeRekeys} IKE; SAs lost {x.SasLost}");
            return report.Failed == 0 && report.Aborted == 0 && report.Established > 0 ? 0 : 1;
        }
        catch (LoadTestException e)
        {
            return Usage(e.Message);
        }
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine("Gateway.LoadTest: error: " + error);
        return 2;
    }
}
