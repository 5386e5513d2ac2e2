namespace Gateway.Control;

/// <summary>
/// The operator commands of the executable (`Gateway VERB ...`), which talk to the running gateway over its control
/// socket. Parsed here; the socket is found like the gateway finds its data directory (--socket wins).
/// </summary>
public sealed record ControlCommandLine(ControlRequest Request, string? Socket, string? ConfigFile, string? DataDirectory)
{
    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(StringComparer.Ordinal)
        { "sessions", "redirect", "drain", "undrain", "status" };

    public const string Usage = """
        operator commands (talk to the running gateway over <data-dir>/control.sock; root only):
          Gateway sessions                                 established sessions on this node: session id, identity,
                                                           outer address, virtual IPs, whether it can be redirected
          Gateway redirect --identity NAME --to ADDRESS    tell NAME's clients to move to ADDRESS (RFC 5685)
          Gateway redirect --session ID --to ADDRESS       one session, by the id `sessions` prints
          Gateway redirect --all --to ADDRESS              every session on this node (draining it)
          Gateway drain --to ADDRESS                       redirect every new client at IKE_SA_INIT (until undrain)
          Gateway undrain                                  serve new clients here again
          Gateway status                                   draining or not; number of established sessions
          each takes [--data-dir DIR | --config FILE | --socket PATH] to find the gateway (as the gateway finds its
          data directory). ADDRESS: an IP address or a DNS name. Only clients that announced REDIRECT_SUPPORTED can be
          redirected. Exit codes: 0 done, 1 no answer, 2 bad arguments, 4 no such session, 5 refused (the client did
          not announce REDIRECT_SUPPORTED), 6 gateway not running.
        """;

    public static bool IsVerb(IReadOnlyList<string> args) => args.Count > 0 && Verbs.Contains(args[0]);

    /// <exception cref="ArgumentException">Unknown option or missing value; the message is the one line to print.</exception>
    public static ControlCommandLine Parse(IReadOnlyList<string> args)
    {
        string verb = args[0];
        string? session = null, identity = null, to = null, socket = null, config = null, data = null;
        bool all = false;
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--session" when verb == "redirect": session = Value(args, ref i, arg); break;
                case "--identity" when verb == "redirect": identity = Value(args, ref i, arg); break;
                case "--all" when verb == "redirect": all = true; break;
                case "--to" when verb is "redirect" or "drain": to = Value(args, ref i, arg); break;
                case "--socket": socket = Value(args, ref i, arg); break;
                case "--config" or "-c": config = Value(args, ref i, arg); break;
                case "--data-dir": data = Value(args, ref i, arg); break;
                default: throw new ArgumentException($"{verb}: unknown option '{arg}' (try --help)");
            }
        }
        if (verb == "redirect" && (session is null ? 0 : 1) + (identity is null ? 0 : 1) + (all ? 1 : 0) != 1)
            throw new ArgumentException("redirect needs exactly one of --session ID, --identity NAME, --all");
        if (verb is "redirect" or "drain" && to is null)
            throw new ArgumentException($"{verb} needs --to ADDRESS (the gateway to send clients to)");
        return new ControlCommandLine(new ControlRequest(verb, session, identity, all, to), socket, config, data);
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string option)
    {
        if (i + 1 >= args.Count)
            throw new ArgumentException($"{option} needs a value");
        return args[++i];
    }
}
