using Akka.Actor;
using Gateway.Core.Hosting;
using Gateway.Control;
using Gateway.Core.IkeSa;
using Gateway.Configuration;
using Gateway.DataPlane;
using Gateway.DataPlane.Steering;
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

        // Several nodes on this host share the address (issue 5 §5): SO_REUSEPORT, ESP forwarding, host routes.
        bool steering = s.SteeringForwardPort > 0;
        // The TUN device before the sockets, so it is closed after them (its reader takes a moment to stop): a node
        // leaving a shared address must leave the kernel's port group promptly, or the flows it still gets are lost.
        var pools = new[] { s.Ipv4Pool, s.Ipv6Pool }.OfType<System.Net.IPNetwork>().ToList();
        TunPort tun = TunPort.Create(s.TunName, s.TunMtu, steering ? [] : pools);
        _stack.Add(tun);

        SocketSet sockets = SocketSet.Open(s.Listen, s.IkePort, s.NatTraversalPort, s.RawEsp, sharePorts: steering, bind: !steering);
        _stack.Add(sockets);
        if (s.EnableForwarding)
            Forwarding.Enable(s.Ipv6Pool is not null);

        var dataPlane = new EspDataPlane(tun, sockets, metrics, s.EspWorkers, s.QueueDepth, s.ReplayWindow);
        _stack.Add(dataPlane);
        SteeringParts? steered = steering ? StartSteering(s, tun, dataPlane, metrics) : null;

        var demux = new PacketDemux(dataPlane, metrics);
        var persistence = PersistenceBootstrap.Prepare(s);
        _system = await ClusterBootstrap.StartAsync(s.Cluster, TimeSpan.FromSeconds(30), persistence?.Config, s.AkkaOverrides, persistence?.Setups);
        if (steered is not null)
        {
            // Join the kernel's SO_REUSEPORT group only when the other nodes' SAs are known: from then on it hands this
            // node a share of every client's flows, which must be forwarded to their owners.
            SameHostDeathWatching.Start(_system);
            Task synced = EspOwnership.Start(_system, steered.DataPlane, steered.Owners, steered.Forwarder.Endpoint);
            if (await Task.WhenAny(synced, Task.Delay(TimeSpan.FromSeconds(10))) != synced)
                Log.Warn("ESP ownership: not every node answered within 10 s; taking a share of the flows anyway");
            sockets.BindAll();
            // Receive at once: the kernel already hands this node a share of the established tunnels' ESP, forwarded
            // to their owners; IKE waits for the core (dropped and counted until then; clients retransmit).
            StartReceiving([.. sockets.Sockets, steered.Forwarder.Socket], demux);
        }
        var services = new InMemoryResponderServices(prepared.Policy.Pools);
        // Draining is switched at run time (`Gateway drain` / `Gateway undrain`); the configured sources policy stays.
        var drain = new DrainSwitch(s.DrainTarget, s.Core.RedirectPolicy);
        GatewayCoreHandle core = GatewayCore.Start(_system, prepared.Policy, sockets, steered?.DataPlane ?? (Gateway.Core.DataPlane.IDataPlane)dataPlane, services,
            machineFactory: null, // the real responder (IkeSaResponder)
            s.Core with
            {
                Metrics = metrics, StateKeys = persistence?.Keys, SequenceMargin = s.Persistence?.SequenceMargin ?? s.Core.SequenceMargin,
                InboundMarkInterval = s.Persistence?.InboundMarkInterval ?? s.Core.InboundMarkInterval,
                LeaseReconciliation = s.Persistence?.LeaseReconciliation ?? s.Core.LeaseReconciliation,
                RedirectPolicy = drain.Choose,
            });

        demux.Ingress = core.Ingress;
        if (steered is null)
            StartReceiving(sockets.Sockets, demux); // alone: what arrived meanwhile waits in the socket buffers
        tun.StartReading(dataPlane.ReceiveInner);
        _control = ControlServer.Start(ControlServer.SocketPath(s.DataDirectory), new ControlCommands(core.Sessions, drain));
        if (drain.DrainTarget is { } target)
            Log.Info($"draining: new clients that announce REDIRECT_SUPPORTED go to {target} (gateway.dos.redirect.drain)");

        Log.Info($"gateway ready: identity {s.Identity}; listening {sockets.Describe()}; tun {tun.Name} mtu {s.TunMtu}; " +
                 $"esp workers {s.EspWorkers}; metrics {metricsText}; cluster {s.Cluster.Hostname}:{s.Cluster.Port}; control {_control.Path}" +
                 (steered is null ? "" : $"; shared address, ESP forward {steered.Forwarder.Socket}"));
    }

    private void StartReceiving(IEnumerable<GatewaySocket> sockets, PacketDemux demux)
    {
        foreach (GatewaySocket socket in sockets)
        {
            var loop = new ReceiveLoop(socket, demux.Handle, e => Log.Warn($"{socket}: dropped a datagram: {e.GetType().Name}: {e.Message}"));
            _loops.Add(loop);
            loop.Start();
        }
    }

    private sealed record SteeringParts(SteeredDataPlane DataPlane, EspOwnerMap Owners, EspForwarder Forwarder);

    /// <summary>The forward socket at the cluster hostname, the owner map, host routes on this node's TUN device.</summary>
    private SteeringParts StartSteering(GatewaySettings s, TunPort tun, EspDataPlane dataPlane, GatewayMetrics metrics)
    {
        System.Net.IPAddress address = System.Net.IPAddress.TryParse(s.Cluster.Hostname, out var literal)
            ? literal
            : System.Net.Dns.GetHostAddresses(s.Cluster.Hostname).First();
        GatewaySocket socket;
        try
        {
            socket = GatewaySocket.Open(address, s.SteeringForwardPort, SocketRole.EspForward);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"cannot open the ESP forward socket {address}:{s.SteeringForwardPort} (gateway.steering.forward-port): {e.Message}", e);
        }
        _stack.Add(socket);
        var owners = new EspOwnerMap();
        var forwarder = new EspForwarder(socket, owners, metrics);
        dataPlane.Unowned = forwarder;
        var routes = new TunHostRoutes(tun);
        _stack.Add(routes);
        return new SteeringParts(new SteeredDataPlane(dataPlane, routes), owners, forwarder);
    }

    public async ValueTask DisposeAsync()
    {
        _control?.Dispose();
        _control = null;
        // The sockets keep receiving while the node leaves: with several nodes on the address the kernel still hands
        // this one a share of the flows until its sockets close, and what arrives for SAs already handed over is
        // forwarded to their new owners.
        if (_system is not null)
        {
            // Leave the cluster and stop the actors (sessions) before the data plane and sockets go away.
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60))
                .ContinueWith(_ => { }, TaskScheduler.Default);
            _system = null;
        }
        foreach (ReceiveLoop loop in _loops)
            loop.Dispose();
        _loops.Clear();
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
