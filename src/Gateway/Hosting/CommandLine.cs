namespace Gateway.Hosting;

/// <summary>Command-line options. Environment: GATEWAY_CONFIG (when --config is absent), GATEWAY_DATA (data directory).</summary>
public sealed record CommandLine(string? ConfigFile, string? DataDirectory, bool Help)
{
    public const string Usage = """
        usage: Gateway [--config FILE] [--data-dir DIR]
          --config FILE    HOCON configuration read over the embedded defaults (hocon/gateway.conf); env GATEWAY_CONFIG
          --data-dir DIR   where the development PKI and demo user live (default: gateway.data-dir, $GATEWAY_DATA, ./data)
        Runs until SIGTERM or SIGINT. Exit codes: 0 stopped cleanly, 1 runtime failure, 2 configuration error,
        3 certificate preflight failed.
        """;

    /// <exception cref="ArgumentException">Unknown option or missing value; the message is the one line to print.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? config = null, data = null;
        bool help = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--config" or "-c":
                    config = Value(args, ref i, arg);
                    break;
                case "--data-dir":
                    data = Value(args, ref i, arg);
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    if (arg.StartsWith("--config=", StringComparison.Ordinal))
                        config = arg["--config=".Length..];
                    else if (arg.StartsWith("--data-dir=", StringComparison.Ordinal))
                        data = arg["--data-dir=".Length..];
                    else
                        throw new ArgumentException($"unknown option '{arg}' (try --help)");
                    break;
            }
        }
        config ??= environment("GATEWAY_CONFIG") is { Length: > 0 } c ? c : null;
        return new CommandLine(config, data, help);
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string option)
    {
        if (i + 1 >= args.Count)
            throw new ArgumentException($"{option} needs a value");
        return args[++i];
    }
}
