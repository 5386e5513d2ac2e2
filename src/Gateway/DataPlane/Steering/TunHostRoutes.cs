using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Gateway.Hosting;

namespace Gateway.DataPlane.Steering;

/// <summary>
/// <see cref="IHostRoutes"/> on the node's TUN device: /32 and /128 routes, applied in order by one background thread
/// (each is an `ip route` run, a few milliseconds: child SA actors must not wait for it). "replace" takes the route
/// over from another node's TUN (the SA moved here); removal names our device, so it never deletes the route a node
/// that took the SA over has meanwhile installed. A node killed outright loses its routes with its TUN device.
/// </summary>
public sealed class TunHostRoutes : IHostRoutes, IDisposable
{
    private readonly TunPort _tun;
    private readonly Channel<(bool Add, IPAddress Address)> _queue =
        Channel.CreateUnbounded<(bool, IPAddress)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;

    public TunHostRoutes(TunPort tun)
    {
        _tun = tun;
        _thread = new Thread(Run) { IsBackground = true, Name = "host-routes" };
        _thread.Start();
    }

    public void Add(IPAddress address) => _queue.Writer.TryWrite((true, address));

    public void Remove(IPAddress address) => _queue.Writer.TryWrite((false, address));

    private void Run()
    {
        ChannelReader<(bool Add, IPAddress Address)> reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var change))
            {
                int prefix = change.Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
                try
                {
                    if (change.Add)
                        _tun.AddHostRoute(change.Address, prefix);
                    else
                        _tun.RemoveHostRoute(change.Address, prefix);
                }
                catch (InvalidOperationException e)
                {
                    // Removal after another node took the address over, or the device already gone: nothing to undo.
                    if (change.Add)
                        Log.Warn($"route {change.Address}/{prefix} to {_tun.Name}: {e.Message}");
                }
            }
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
