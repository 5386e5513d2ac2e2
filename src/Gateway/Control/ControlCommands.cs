using System.Globalization;
using System.Text;
using Gateway.Configuration;
using Gateway.Core.Hosting;
using Gateway.Core.IkeSa;
using Gateway.Hosting;
using Gateway.Ike;

namespace Gateway.Control;

/// <summary>
/// What the operator commands do in the running gateway: list the node's established sessions, redirect some of them
/// (RFC 5685 §5) and switch draining (RFC 5685 §4 at IKE_SA_INIT). Sessions are found in this node's index of
/// established sessions; a session id names any session of the cluster (sharding routes the redirect to its node),
/// an identity or --all only this node's (a cluster-wide view needs a replicated registry, see docs/dos.md).
/// </summary>
public sealed class ControlCommands(IGatewaySessions sessions, DrainSwitch drain)
{
    /// <summary>How long one session has to answer a redirect command (it only queues a request; the client moves later).</summary>
    public static readonly TimeSpan RedirectAnswerTimeout = TimeSpan.FromSeconds(5);

    public async Task<ControlResponse> HandleAsync(ControlRequest request) => request.Command switch
    {
        "sessions" => ListSessions(),
        "redirect" => await RedirectAsync(request),
        "drain" => Drain(request),
        "undrain" => Undrain(),
        "status" => Status(),
        _ => new ControlResponse(ControlExit.Usage, $"unknown command '{request.Command}'"),
    };

    private ControlResponse ListSessions()
    {
        var list = sessions.ListEstablished();
        if (list.Count == 0)
            return ControlResponse.Ok("no established sessions on this node");
        var rows = new List<string[]> { new[] { "SESSION", "IDENTITY", "OUTER ADDRESS", "VIRTUAL IPS", "REDIRECT", "ESTABLISHED (UTC)" } };
        foreach (var s in list)
            rows.Add([
                SessionText(s.SessionId), s.Identity, s.Remote.ToString(),
                s.VirtualAddresses.Count == 0 ? "-" : string.Join(",", s.VirtualAddresses),
                s.PeerSupportsRedirect ? "yes" : "no",
                s.EstablishedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ]);
        return ControlResponse.Ok(Table(rows));
    }

    private async Task<ControlResponse> RedirectAsync(ControlRequest request)
    {
        int selectors = (request.Session is null ? 0 : 1) + (request.Identity is null ? 0 : 1) + (request.All ? 1 : 0);
        if (selectors != 1)
            return new ControlResponse(ControlExit.Usage, "redirect needs exactly one of --session ID, --identity NAME, --all");
        if (Target(request.To) is not { } target)
            return TargetError(request.To);

        IReadOnlyList<(ulong Id, string Who)> chosen;
        if (request.Session is { } text)
        {
            if (!ulong.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong id))
                return new ControlResponse(ControlExit.Usage, $"'{text}' is not a session id (hex, as `Gateway sessions` prints it)");
            // Not necessarily on this node: sharding routes the command to whichever node holds the session.
            var local = sessions.ListEstablished().FirstOrDefault(s => s.SessionId == id);
            chosen = [(id, local is null ? $"session {SessionText(id)}" : Describe(local))];
        }
        else
        {
            var local = sessions.ListEstablished()
                .Where(s => request.All || string.Equals(s.Identity, request.Identity, StringComparison.Ordinal)).ToList();
            if (local.Count == 0)
                return request.All
                    ? ControlResponse.Ok("no established sessions on this node: nothing to redirect")
                    : new ControlResponse(ControlExit.NoSuchSession, $"no established session of identity '{request.Identity}' on this node");
            chosen = local.Select(s => (s.SessionId, Describe(s))).ToList();
        }

        var outcomes = await Task.WhenAll(chosen.Select(c => OutcomeAsync(c.Id, target)));
        var output = new StringBuilder();
        int exit = ControlExit.Ok;
        for (int i = 0; i < chosen.Count; i++)
        {
            var (line, code) = Explain(outcomes[i], target);
            output.Append(chosen[i].Who).Append(": ").AppendLine(line);
            exit = Math.Max(exit, code);
            Log.Info($"control: redirect of {chosen[i].Who} to {target}: {outcomes[i]?.ToString() ?? "no answer"}");
        }
        return new ControlResponse(exit, output.ToString().TrimEnd());
    }

    private async Task<RedirectOutcome?> OutcomeAsync(ulong session, GatewayIdentity target)
    {
        try
        {
            return await sessions.RedirectAsync(session, target, RedirectAnswerTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or TaskCanceledException or Akka.Actor.AskTimeoutException)
        {
            return null;
        }
    }

    private static (string Line, int Exit) Explain(RedirectOutcome? outcome, GatewayIdentity target) => outcome switch
    {
        RedirectOutcome.Sent => ($"told to move to {target} (its SA here is deleted once it has moved)", ControlExit.Ok),
        RedirectOutcome.PeerLacksRedirectSupport =>
            ("refused: the client did not announce REDIRECT_SUPPORTED (e.g. Windows); nothing was sent", ControlExit.Refused),
        RedirectOutcome.NotEstablished => ("refused: its IKE SA is not established", ControlExit.Refused),
        RedirectOutcome.UnknownSession => ("no such session", ControlExit.NoSuchSession),
        _ => ($"no answer within {RedirectAnswerTimeout.TotalSeconds:0} s", ControlExit.Failed),
    };

    private ControlResponse Drain(ControlRequest request)
    {
        if (Target(request.To) is not { } target)
            return TargetError(request.To);
        drain.Drain(target);
        Log.Info($"control: draining: new clients that announce REDIRECT_SUPPORTED go to {target}");
        return ControlResponse.Ok($"draining: new clients that announce REDIRECT_SUPPORTED are redirected to {target} at IKE_SA_INIT; " +
                                  $"established sessions stay (move them with `Gateway redirect --all --to {target}`)");
    }

    private ControlResponse Undrain()
    {
        drain.Undrain();
        Log.Info("control: draining stopped");
        return ControlResponse.Ok("not draining: new clients are served here" + (drain.HasSourcePolicy
            ? " (except those gateway.dos.redirect.sources sends elsewhere)" : ""));
    }

    private ControlResponse Status()
    {
        string draining = drain.DrainTarget is { } t ? $"draining to {t}" : "not draining";
        return ControlResponse.Ok($"{draining}; {sessions.ListEstablished().Count} established sessions on this node");
    }

    private static GatewayIdentity? Target(string? text)
    {
        if (text is null)
            return null;
        try
        {
            return CoreSettingsReader.RedirectTarget("--to", text.Trim());
        }
        catch (ConfigurationError)
        {
            return null;
        }
    }

    private static ControlResponse TargetError(string? text) => new(ControlExit.Usage, text is null
        ? "--to ADDRESS is needed (the gateway to send clients to: an IP address or a DNS name)"
        : $"--to: '{text}' is neither an IP address nor a DNS name");

    private static string Describe(EstablishedSession s) => $"session {SessionText(s.SessionId)} ({s.Identity} from {s.Remote})";

    /// <summary>Session ids are 48 bits: 12 hex digits.</summary>
    public static string SessionText(ulong session) => session.ToString("x12", CultureInfo.InvariantCulture);

    private static string Table(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join('\n', rows.Select(r => string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c])))));
    }
}
