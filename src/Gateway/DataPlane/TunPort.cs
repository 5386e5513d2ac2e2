using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Esp.Tun;
using Gateway.Hosting;

namespace Gateway.DataPlane;

/// <summary>
/// The gateway's TUN device: created, sized, addressed with the first address of each pool (the pool allocator never
/// hands that one out) and with the pools routed to it, so the kernel sends clients' traffic here. A dedicated
/// thread reads packets into rented buffers and passes them to the outbound pump.
/// </summary>
public sealed class TunPort : IInnerPacketSink, IDisposable
{
    private readonly TunDevice _device;
    private readonly int _mtu;
    private Thread? _reader;
    private volatile bool _stopping;

    private TunPort(TunDevice device, int mtu)
    {
        _device = device;
        _mtu = mtu;
    }

    public string Name => _device.Name;

    /// <param name="pools">Addressed and routed to the device; none when several nodes share the host (each would claim
    /// the whole pool): then each client's addresses get host routes (<see cref="AddHostRoute"/>) on the owning node.</param>
    public static TunPort Create(string name, int mtu, IEnumerable<IPNetwork> pools)
    {
        TunDevice device = TunDevice.Create(name);
        try
        {
            device.SetMtu(mtu);
            foreach (IPNetwork pool in pools)
                device.AddAddress(FirstHost(pool), pool.PrefixLength);
            device.SetUp(); // routes need the device up
            // The address already routes its prefix; replace makes sure no stale route elsewhere wins.
            foreach (IPNetwork pool in pools)
                device.AddRoute(pool.BaseAddress, pool.PrefixLength);
            return new TunPort(device, mtu);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    public bool TryWrite(ReadOnlySpan<byte> packet) => _device.TryWrite(packet);

    /// <summary>Routes one client address here, replacing a route another node's device held.</summary>
    public void AddHostRoute(IPAddress address, int prefixLength) => _device.AddRoute(address, prefixLength);

    /// <summary>Removes this device's route for one client address (another device's route stays).</summary>
    public void RemoveHostRoute(IPAddress address, int prefixLength) => _device.RemoveRoute(address, prefixLength);

    public void StartReading(Action<byte[], int> deliver)
    {
        _reader = new Thread(() => Run(deliver)) { IsBackground = true, Name = "tun-reader" };
        _reader.Start();
    }

    private void Run(Action<byte[], int> deliver)
    {
        int size = Math.Max(_mtu, 2048);
        while (!_stopping)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            bool handedOver = false;
            try
            {
                if (_device.TryRead(buffer, -1, out int length) && length > 0)
                {
                    handedOver = true;
                    deliver(buffer, length); // ownership passes to the data plane
                }
                else if (!_stopping)
                {
                    continue;
                }
            }
            catch (IOException e)
            {
                if (!_stopping)
                    Log.Error($"TUN {Name}: {e.Message}");
                return;
            }
            finally
            {
                if (!handedOver)
                    ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public static IPAddress FirstHost(IPNetwork pool)
    {
        byte[] bytes = pool.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new IPAddress(bytes);
    }

    public void Dispose()
    {
        _stopping = true;
        _device.Dispose(); // wakes the reader
        _reader?.Join(TimeSpan.FromSeconds(2));
    }
}

/// <summary>IP forwarding in the gateway's network namespace, so clients reach the protected subnets.</summary>
public static class Forwarding
{
    public static void Enable(bool ipv6)
    {
        File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1");
        if (ipv6 && Socket.OSSupportsIPv6)
            File.WriteAllText("/proc/sys/net/ipv6/conf/all/forwarding", "1");
    }
}
