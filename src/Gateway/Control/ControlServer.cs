using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Gateway.Hosting;

namespace Gateway.Control;

/// <summary>
/// The running gateway's control socket: a Unix domain stream socket in the data directory (mode 0600), served for the
/// operator commands of the same executable (`Gateway sessions`, `Gateway redirect`, ...). Only root and the gateway's
/// own user are served (checked with SO_PEERCRED, so the moment between bind and chmod gives nothing away). One JSON
/// request line per connection, one response line, close. At most <see cref="MaxConnections"/> at a time, each with a
/// read deadline, so a stuck client cannot pile up work.
/// </summary>
public sealed partial class ControlServer : IDisposable
{
    public const string SocketName = "control.sock";
    private const int MaxConnections = 4;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly string _path;
    private readonly ControlCommands _commands;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections);
    private readonly Task _accepting;

    private ControlServer(Socket listener, string path, ControlCommands commands)
    {
        _listener = listener;
        _path = path;
        _commands = commands;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public static string SocketPath(string dataDirectory) => System.IO.Path.Combine(dataDirectory, SocketName);

    public string Path => _path;

    /// <exception cref="InvalidOperationException">Another gateway answers on this socket (same data directory).</exception>
    /// <exception cref="Configuration.ConfigurationError">The path does not fit a Unix socket address.</exception>
    public static ControlServer Start(string path, ControlCommands commands)
    {
        // sockaddr_un holds 108 bytes including the terminating zero.
        if (Encoding.UTF8.GetByteCount(path) > 107)
            throw new Configuration.ConfigurationError("gateway.data-dir", $"'{path}' is too long for the control socket (at most 107 bytes); choose a shorter data directory");
        if (File.Exists(path))
        {
            if (ControlClient.IsAnswering(path))
                throw new InvalidOperationException($"another gateway is running with the control socket {path} (same data directory)");
            File.Delete(path); // left by a gateway that did not stop cleanly
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(MaxConnections);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new ControlServer(listener, path, commands);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                Log.Warn($"control socket: accept failed: {e.Message}");
                _slots.Release();
                continue;
            }
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        try
        {
            using (connection)
            {
                if (PeerUid(connection) is not { } uid || (uid != 0 && uid != geteuid()))
                {
                    Log.Warn($"control socket: refused a connection from uid {PeerUid(connection)?.ToString() ?? "?"} (root only)");
                    return;
                }
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                deadline.CancelAfter(ReadTimeout);
                string? line = await ReadLineAsync(connection, deadline.Token).ConfigureAwait(false);
                ControlResponse response = line is null || Parse(line) is not { } request
                    ? new ControlResponse(ControlExit.Usage, "malformed control request")
                    : await _commands.HandleAsync(request).ConfigureAwait(false);
                byte[] reply = Encoding.UTF8.GetBytes(ControlJson.Line(response) + "\n");
                await connection.SendAsync(reply, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or was too slow: nothing to answer.
        }
        catch (Exception e)
        {
            Log.Warn($"control socket: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _slots.Release();
        }
    }

    private static ControlRequest? Parse(string line)
    {
        try
        {
            return ControlJson.Request(line);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>One line of at most <see cref="ControlJson.MaxRequestBytes"/>; null when longer or closed before a newline.</summary>
    private static async Task<string?> ReadLineAsync(Socket connection, CancellationToken cancel)
    {
        byte[] buffer = new byte[ControlJson.MaxRequestBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0)
                return null;
            int newline = Array.IndexOf(buffer, (byte)'\n', length, n);
            length += n;
            if (newline >= 0)
                return Encoding.UTF8.GetString(buffer, 0, newline);
        }
        return null;
    }

    /// <summary>The connecting process's uid (SO_PEERCRED: struct ucred { pid, uid, gid }).</summary>
    private static uint? PeerUid(Socket connection)
    {
        const int SolSocket = 1, SoPeerCred = 17;
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            return connection.GetRawSocketOption(SolSocket, SoPeerCred, ucred) == 12
                ? MemoryMarshal.Read<uint>(ucred[4..])
                : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }
}
