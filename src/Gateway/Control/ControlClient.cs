using System.Net.Sockets;
using System.Text;
using Gateway.Configuration;

namespace Gateway.Control;

/// <summary>The command-line side of the operator commands: finds the control socket, relays one request, prints the answer.</summary>
public static class ControlClient
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <returns>The exit code (<see cref="ControlExit"/>).</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        ControlCommandLine command;
        string socket;
        try
        {
            command = ControlCommandLine.Parse(args);
            socket = SocketPath(command, environment);
        }
        catch (Exception e) when (e is ArgumentException or ConfigurationError)
        {
            error.WriteLine(e.Message);
            return ControlExit.Usage;
        }
        ControlResponse response = await SendAsync(socket, command.Request);
        (response.Exit == ControlExit.Ok ? output : error).WriteLine(response.Output);
        return response.Exit;
    }

    /// <summary>--socket, else control.sock in the data directory the gateway itself would use.</summary>
    public static string SocketPath(ControlCommandLine command, Func<string, string?> environment)
    {
        if (command.Socket is { Length: > 0 } socket)
            return Path.GetFullPath(socket);
        string? configFile = command.ConfigFile ?? (environment("GATEWAY_CONFIG") is { Length: > 0 } c ? c : null);
        var config = HoconLoader.Load(configFile);
        string baseDirectory = configFile is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configFile))!;
        string data = SettingsReader.DataDirectory(config, baseDirectory, command.DataDirectory, environment("GATEWAY_DATA"));
        return ControlServer.SocketPath(data);
    }

    /// <summary>Sends one request and reads the answer; a gateway that is not there is an answer too (exit 6).</summary>
    public static async Task<ControlResponse> SendAsync(string socketPath, ControlRequest request)
    {
        if (!File.Exists(socketPath))
            return NotRunning($"no control socket at {socketPath} (wrong --data-dir?)");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = new CancellationTokenSource(AnswerTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes(ControlJson.Line(request) + "\n"), SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Send);
            string answer = await ReadAllAsync(socket, deadline.Token);
            return answer.Length > 0 && ControlJson.Response(answer) is { } response
                ? response
                : new ControlResponse(ControlExit.Failed, $"the gateway closed the control connection without an answer ({socketPath}; root only)");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            return NotRunning($"nothing answers on {socketPath} (a stale socket)");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            return new ControlResponse(ControlExit.Failed, $"permission denied on {socketPath}: the control socket is for root only");
        }
        catch (OperationCanceledException)
        {
            return new ControlResponse(ControlExit.Failed, $"the gateway did not answer within {AnswerTimeout.TotalSeconds:0} s");
        }
        catch (System.Text.Json.JsonException)
        {
            return new ControlResponse(ControlExit.Failed, "the gateway's answer was malformed");
        }
    }

    /// <summary>Whether a gateway is serving <paramref name="socketPath"/> (a connect succeeds).</summary>
    public static bool IsAnswering(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static ControlResponse NotRunning(string why) => new(ControlExit.NotRunning, $"the gateway is not running: {why}");

    private static async Task<string> ReadAllAsync(Socket socket, CancellationToken cancel)
    {
        var bytes = new List<byte>();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
            bytes.AddRange(buffer.AsSpan(0, n));
        return Encoding.UTF8.GetString(bytes.ToArray()).Trim();
    }
}
