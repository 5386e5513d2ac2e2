using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Control;

/// <summary>
/// One operator command as it crosses the control socket: one JSON line in, one JSON line out, then the connection
/// closes. The server does all the work and the formatting, so the command-line side stays a thin relay.
/// </summary>
/// <param name="Command">sessions | redirect | drain | undrain | status.</param>
/// <param name="Session">redirect: a session id (hex, as `Gateway sessions` prints it).</param>
/// <param name="Identity">redirect: every session of this identity on this node.</param>
/// <param name="All">redirect: every session on this node (draining it).</param>
/// <param name="To">redirect, drain: the gateway to send clients to (IP address or DNS name).</param>
public sealed record ControlRequest(string Command, string? Session = null, string? Identity = null, bool All = false, string? To = null);

/// <summary>The answer: the exit code the command-line side exits with, and the text it prints.</summary>
public sealed record ControlResponse(int Exit, string Output)
{
    public static ControlResponse Ok(string output) => new(ControlExit.Ok, output);
}

/// <summary>Exit codes of the operator commands (documented in the usage text).</summary>
public static class ControlExit
{
    public const int Ok = 0;

    /// <summary>No answer in time, or the socket broke.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments (also from the gateway: a target that is neither an address nor a DNS name).</summary>
    public const int Usage = 2;

    /// <summary>No such session (or no session of that identity) on this gateway.</summary>
    public const int NoSuchSession = 4;

    /// <summary>Refused: the client did not announce REDIRECT_SUPPORTED (e.g. Windows), or its SA is not established.</summary>
    public const int Refused = 5;

    /// <summary>No gateway answers on the control socket.</summary>
    public const int NotRunning = 6;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
internal sealed partial class ControlJson : JsonSerializerContext
{
    /// <summary>Longest request line the server reads: a command is a few words; anything longer is refused.</summary>
    public const int MaxRequestBytes = 4096;

    public static string Line(ControlRequest request) => JsonSerializer.Serialize(request, Default.ControlRequest);

    public static string Line(ControlResponse response) => JsonSerializer.Serialize(response, Default.ControlResponse);

    public static ControlRequest? Request(string line) => JsonSerializer.Deserialize(line, Default.ControlRequest);

    public static ControlResponse? Response(string line) => JsonSerializer.Deserialize(line, Default.ControlResponse);
}
