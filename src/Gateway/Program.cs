using System.Runtime.InteropServices;
using Gateway.Configuration;
using Gateway.Control;
using Gateway.Hosting;
using Gateway.Startup;

namespace Gateway;

/// <summary>Entry point: parse, prepare (config, PKI, preflight), run until SIGTERM/SIGINT, stop cleanly.</summary>
public static class Program
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitConfiguration = 2;
    public const int ExitPreflight = 3;

    public static async Task<int> Main(string[] args)
    {
        MallocArenas.Cap();
        // `Gateway sessions`, `Gateway redirect ...`: an operator command for the gateway that is already running.
        if (ControlCommandLine.IsVerb(args))
            return await ControlClient.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error);

        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitConfiguration;
        }
        if (commandLine.Help)
        {
            Console.WriteLine(CommandLine.Usage);
            Console.WriteLine(ControlCommandLine.Usage);
            return ExitOk;
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        GatewayHost? host = null;
        try
        {
            PreparedGateway prepared = GatewayPreparation.Prepare(commandLine, Environment.GetEnvironmentVariable);
            host = await GatewayHost.StartAsync(prepared);
            var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (await Task.WhenAny(stopped, host.NodeStopped) != stopped)
            {
                // Downed (the split brain resolver chose the other side of a partition) or otherwise removed: this
                // process can serve nothing any more. Exit non-zero so the service manager restarts it as a new member.
                Log.Error("this node was removed from the cluster (downed?); exiting so that it restarts and rejoins");
                return ExitFailure;
            }
            Log.Info("stopping");
            return ExitOk;
        }
        catch (ConfigurationError e)
        {
            Console.Error.WriteLine(e.Message);
            Log.Error(e.Message);
            return ExitConfiguration;
        }
        catch (PreflightError e)
        {
            Log.Error(e.Message);
            return ExitPreflight;
        }
        catch (Exception e)
        {
            Log.Error($"start-up failed: {e.GetType().Name}: {HoconLoader.OneLine(e.Message)}");
            return ExitFailure;
        }
        finally
        {
            if (host is not null)
                await host.DisposeAsync();
            Log.Info("stopped");
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, with code 0, after a clean stop
            stop.Cancel();
        }
    }
}
