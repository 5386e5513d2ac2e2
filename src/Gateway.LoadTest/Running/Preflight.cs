using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Gateway.Core.Initiator;
using Gateway.LoadTest.Options;

namespace Gateway.LoadTest.Running;

/// <summary>
/// Before a run: which local addresses to send from, and whether the target answers IKE at all — so an unreachable
/// target is one clear error, not a run full of timeouts.
/// </summary>
public static class Preflight
{
    public static IReadOnlyList<IPAddress> SourceAddresses(LoadTestOptions options)
    {
        if (options.Sources.Count > 0)
            return options.Sources;
        if (options.SourcePrefix is { } prefix)
        {
            var local = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)
                .Where(a => a.AddressFamily == options.Target.AddressFamily && prefix.Contains(a))
                .Distinct().Order(Comparer<IPAddress>.Create((a, b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes())))
                .ToList();
            return local.Count > 0 ? local : throw new LoadTestException($"--source: no local interface address is inside {prefix}");
        }
        return [RouteSource(options.Target)];
    }

    /// <summary>The address the OS would send from to reach the target (a connected UDP socket sends nothing).</summary>
    public static IPAddress RouteSource(IPEndPoint target)
    {
        using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Connect(target);
        }
        catch (SocketException e)
        {
            throw new LoadTestException($"--target: {target} is unreachable ({e.SocketErrorCode}: no route)");
        }
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    /// <summary>
    /// Sends one IKE_SA_INIT, resent after 1 and 2 s as a real client would (a busy gateway may drop the first), and
    /// waits for any IKE answer; ICMP unreachable or silence for <paramref name="wait"/> is an error.
    /// </summary>
    public static async Task ProbeAsync(IPEndPoint target, IPAddress source, InitiatorSettings template, TimeSpan wait)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            socket.Connect(target); // connected: ICMP port/host unreachable comes back as a receive error
        }
        catch (SocketException e)
        {
            throw new LoadTestException($"--source: cannot send from {source} to {target} ({e.SocketErrorCode})");
        }
        using var probe = new IkeInitiator(template with { Local = (IPEndPoint)socket.LocalEndPoint!, Gateway = target });
        var request = probe.Start(DateTime.UtcNow).Send;
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[65536];
        try
        {
            var answer = socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            foreach (var resendAfter in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), wait })
            {
                foreach (var d in request)
                    await socket.SendAsync(d.Message, SocketFlags.None, timeout.Token);
                if (await Task.WhenAny(answer, Task.Delay(resendAfter, timeout.Token)) == answer)
                    break;
            }
            int n = await answer;
            if (n < 28)
                throw new LoadTestException($"--target: {target} answered with something that is not IKE");
        }
        catch (OperationCanceledException)
        {
            throw new LoadTestException($"--target: {target} is unreachable (no IKE answer within {wait.TotalSeconds:0} s)");
        }
        catch (SocketException e)
        {
            throw new LoadTestException($"--target: {target} is unreachable ({e.SocketErrorCode})");
        }
    }
}
