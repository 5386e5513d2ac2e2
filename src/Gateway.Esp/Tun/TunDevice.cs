using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Esp.Tun;

/// <summary>
/// A Linux TUN interface (layer 3, no packet-information header): every read returns one IP packet the kernel routed
/// to the interface, every write injects one IP packet into the kernel as if it had arrived on it.
/// <para>
/// Reads block (in poll(2)) and belong on a dedicated thread; a second descriptor, an eventfd, wakes that thread on
/// Dispose, because closing a descriptor does not interrupt a read blocked on it. Writes never block and may come from
/// any thread. The interface is not persistent: the kernel removes it when Dispose closes the last descriptor.
/// </para>
/// </summary>
public sealed class TunDevice : IDisposable
{
    private readonly FileDescriptorHandle _tun;
    private readonly FileDescriptorHandle _wake;
    private int _disposed;

    private TunDevice(FileDescriptorHandle tun, FileDescriptorHandle wake, string name)
    {
        _tun = tun;
        _wake = wake;
        Name = name;
    }

    /// <summary>The interface name the kernel gave (as requested, or with a "%d" pattern filled in).</summary>
    public string Name { get; }

    /// <summary>Creates the interface (requires CAP_NET_ADMIN). It starts down and without addresses.</summary>
    /// <param name="name">At most 15 bytes; may contain one "%d", e.g. "gw%d".</param>
    public static TunDevice Create(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int nameBytes = Encoding.ASCII.GetByteCount(name);
        if (nameBytes >= LibC.IfNameSize || name.Any(c => c > 0x7E || c <= 0x20 || c == '/'))
            throw new ArgumentException($"Not a valid interface name: '{name}' (1-15 printable ASCII characters).", nameof(name));

        int fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
            throw Error("open /dev/net/tun");
        var tun = new FileDescriptorHandle(fd);
        try
        {
            var ifr = new LibC.IfReq();
            Span<byte> request = ifr;
            Encoding.ASCII.GetBytes(name, request);
            BinaryPrimitives.WriteInt16LittleEndian(request[LibC.IfNameSize..],
                (short)(LibC.IFF_TUN | LibC.IFF_NO_PI)); // ifr_flags, host order (Linux targets here are little-endian)
            if (LibC.Ioctl(fd, LibC.TUNSETIFF, ref ifr) < 0)
                throw Error($"TUNSETIFF '{name}'");
            Span<byte> created = ifr;
            created = created[..LibC.IfNameSize];
            int end = created.IndexOf((byte)0);
            string actualName = Encoding.ASCII.GetString(end < 0 ? created : created[..end]);

            int wakeFd = LibC.EventFd(0, LibC.EFD_CLOEXEC);
            if (wakeFd < 0)
                throw Error("eventfd");
            return new TunDevice(tun, new FileDescriptorHandle(wakeFd), actualName);
        }
        catch
        {
            tun.Dispose();
            throw;
        }
    }

    /// <summary>Sets the interface MTU (<c>ip link set mtu</c>).</summary>
    public void SetMtu(int mtu) => IpCommand.Run("link", "set", "dev", Name, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Brings the interface up; the kernel refuses writes to a TUN interface that is down.</summary>
    public void SetUp() => IpCommand.Run("link", "set", "dev", Name, "up");

    /// <summary>Adds a local address with its prefix (which also routes the on-link prefix to the interface).</summary>
    public void AddAddress(IPAddress address, int prefixLength) =>
        IpCommand.Run(Family(address), "addr", "add", $"{address}/{prefixLength}", "dev", Name);

    /// <summary>Routes a prefix (e.g. a virtual address pool) to the interface.</summary>
    public void AddRoute(IPAddress network, int prefixLength) =>
        IpCommand.Run(Family(network), "route", "replace", $"{network}/{prefixLength}", "dev", Name);

    /// <summary>Removes a route to this interface (not one another interface holds for the same prefix).</summary>
    public void RemoveRoute(IPAddress network, int prefixLength) =>
        IpCommand.Run(Family(network), "route", "del", $"{network}/{prefixLength}", "dev", Name);

    /// <summary>Blocks until a packet arrives; returns its length, or 0 once the device is disposed.</summary>
    public int Read(Span<byte> buffer) => TryRead(buffer, -1, out int length) ? length : 0;

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (−1: forever) for a packet. False on timeout or once disposed.
    /// The buffer should hold the MTU; a longer packet is truncated by the kernel.
    /// </summary>
    public bool TryRead(Span<byte> buffer, int timeoutMilliseconds, out int length)
    {
        length = 0;
        bool tunRef = false, wakeRef = false;
        try
        {
            // Hold both descriptors for the duration of the call (see FileDescriptorHandle).
            _tun.DangerousAddRef(ref tunRef);
            _wake.DangerousAddRef(ref wakeRef);
            Span<LibC.PollFd> fds = stackalloc LibC.PollFd[2];
            fds[0] = new LibC.PollFd { Fd = _tun.Fd, Events = LibC.POLLIN };
            fds[1] = new LibC.PollFd { Fd = _wake.Fd, Events = LibC.POLLIN };
            while (true)
            {
                if (Volatile.Read(ref _disposed) != 0)
                    return false;
                int ready = LibC.Poll(ref fds[0], 2, timeoutMilliseconds);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                        continue;
                    throw Error("poll");
                }
                if (ready == 0 || fds[1].REvents != 0)
                    return false; // timeout, or woken by Dispose
                if ((fds[0].REvents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0)
                    throw new IOException($"TUN device {Name} failed (poll events 0x{fds[0].REvents:x}).");

                nint n = LibC.Read(_tun.Fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
                if (n >= 0)
                {
                    length = (int)n;
                    return true;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR && errno != LibC.EAGAIN)
                    throw Error("read");
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (wakeRef)
                _wake.DangerousRelease();
            if (tunRef)
                _tun.DangerousRelease();
        }
    }

    /// <summary>
    /// Hands one IP packet to the kernel. False if the kernel refused it (malformed, interface down, or disposed): the
    /// caller drops and counts it.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
            return false;
        bool tunRef = false;
        try
        {
            _tun.DangerousAddRef(ref tunRef);
            while (true)
            {
                nint n = LibC.Write(_tun.Fd, ref MemoryMarshal.GetReference(packet), (nuint)packet.Length);
                if (n >= 0)
                    return n == packet.Length;
                if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                    return false;
            }
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (tunRef)
                _tun.DangerousRelease();
        }
    }

    /// <summary>Wakes a blocked reader and closes the device; the kernel then removes the interface.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        bool wakeRef = false;
        try
        {
            _wake.DangerousAddRef(ref wakeRef);
            Span<byte> one = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(one, 1); // eventfd counters are host-order 64-bit integers
            _ = LibC.Write(_wake.Fd, ref one[0], 8);
        }
        finally
        {
            if (wakeRef)
                _wake.DangerousRelease();
        }
        _tun.Dispose();
        _wake.Dispose();
    }

    private static string Family(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";

    private static IOException Error(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }
}
