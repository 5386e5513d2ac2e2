using Akka.Actor;
using Gateway.Core.Hosting;
using Gateway.Control;
using Gateway.Core.IkeSa;
using Gateway.DataPlane;
using Gateway.Metrics;
using Gateway.Network;
using Gateway.Startup;
using Prometheus;

namespace Gateway.Hosting;

/// <summary>
/// The running gateway: metrics endpoint, sockets, TUN device, ESP data plane, the cluster node with the IKE core,
/// and the receive threads — started in that order (nothing receives before the core can take it) and stopped in
/// reverse. The operator's control socket opens last (once there is something to control) and closes first.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly List<IDisposable> _stack = [];
    private readonly List<ReceiveLoop> _loops = [];
    private ActorSystem? _system;
    private ControlServer? _control;

    private GatewayHost()
    {
    }

    /// <summary>Completes when the node's actor system has terminated on its own (e.g. downed by the split brain resolver).</summary>
    public Task NodeStopped => _system?.WhenTerminated ?? Task.CompletedTask;

    public static async Task<GatewayHost> StartAsync(PreparedGateway prepared)
    {
        var host = new GatewayHost();
        try
        {
            await host.StartCoreAsync(prepared);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(PreparedGateway prepared)
    {
        var s = prepared.Settings;
        var metrics = new GatewayMetrics();
        string metricsText = "off";
        if (s.MetricsEnabled)
        {
            // The plain MetricServer (HttpListener) works on Linux and needs no ASP.NET.
            var server = new MetricServer(s.MetricsHost, s.MetricsPort, "metrics/", metrics.Registry);
            server.Start();
            _stack.Add(server);
            metricsText = $"http://{(s.MetricsHost.Contains(':') ? $"[{s.MetricsHost}]" : s.MetricsHost)}:{s.MetricsPort}/metrics";
        }

        SocketSet sockets = SocketSet.Open(s.Listen, s.IkePort, s.NatTraversalPort, s.RawEsp);
        _stack.Add(sockets);

        var pools = new[] { s.Ipv4Pool, s.Ipv6Pool }.OfType<System.Net.IPNetwork>().ToList();
        TunPort tun = TunPort.Create(s.TunName, s.TunMtu, pools);
        _stack.Add(tun);
        if (s.EnableForwarding)
            Forwarding.Enable(s.Ipv6Pool is not null);

        var dataPlane = new EspDataPlane(tun, sockets, metrics, s.EspWorkers, s.QueueDepth, s.ReplayWindow);
        _stack.Add(dataPlane);

        var persistence = PersistenceBootstrap.Prepare(s);
        _system = await ClusterBootstrap.StartAsync(s.Cluster, TimeSpan.FromSeconds(30), persistence?.Config);
        var services = new InMemoryResponderServices(prepared.Policy.Pools);
        // Draining is switched at run time (`Gateway drain` / `Gateway undrain`); the configured sources policy stays.
        var drain = new DrainSwitch(s.DrainTarget, s.Core.RedirectPolicy);
        GatewayCoreHandle core = GatewayCore.Start(_system, prepared.Policy, sockets, dataPlane, services,
            machineFactory: null, // the real responder (IkeSaResponder)
            s.Core with
            {
                Metrics = metrics, StateKeys = persistence?.Keys, SequenceMargin = s.Persistence?.SequenceMargin ?? s.Core.SequenceMargin,
                RedirectPolicy = drain.Choose,
            });

        var demux = new PacketDemux(dataPlane, metrics) { Ingress = core.Ingress };
        foreach (GatewaySocket socket in sockets.Sockets)
        {
            var loop = new ReceiveLoop(socket, demux.Handle, e => Log.Warn($"{socket}: dropped a datagram: {e.GetType().Name}: {e.Message}"));
            _loops.Add(loop);
            loop.Start();
        }
        tun.StartReading(dataPlane.ReceiveInner);
        _control = ControlServer.Start(ControlServer.SocketPath(s.DataDirectory), new ControlCommands(core.Sessions, drain));
        if (drain.DrainTarget is { } target)
            Log.Info($"draining: new clients that announce REDIRECT_SUPPORTED go to {target} (gateway.dos.redirect.drain)");

        Log.Info($"gateway ready: identity {s.Identity}; listening {sockets.Describe()}; tun {tun.Name} mtu {s.TunMtu}; " +
                 $"esp workers {s.EspWorkers}; metrics {metricsText}; cluster {s.Cluster.Hostname}:{s.Cluster.Port}; control {_control.Path}");
    }

    public async ValueTask DisposeAsync()
    {
        _control?.Dispose();
        _control = null;
        foreach (ReceiveLoop loop in _loops)
            loop.Dispose();
        _loops.Clear();
        if (_system is not null)
        {
            // Leave the cluster and stop the actors (sessions) before the data plane and sockets go away.
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60))
                .ContinueWith(_ => { }, TaskScheduler.Default);
            _system = null;
        }
        for (int i = _stack.Count - 1; i >= 0; i--)
        {
            try
            {
                _stack[i].Dispose();
            }
            catch (Exception e)
            {
                Log.Warn($"stopping {_stack[i].GetType().Name}: {e.Message}");
            }
        }
        _stack.Clear();
    }
}
