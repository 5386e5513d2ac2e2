namespace Gateway.Configuration;

/// <summary>
/// A configuration value that cannot work. Start-up prints <see cref="Exception.Message"/> as one line — the key and
/// what is wrong with it — and exits with code 2. Never carries a secret's value.
/// </summary>
public sealed class ConfigurationError : Exception
{
    public ConfigurationError(string key, string problem, Exception? inner = null)
        : base($"configuration error: {key}: {problem}", inner)
    {
        Key = key;
    }

    /// <summary>The full HOCON path of the offending key, e.g. "gateway.tun.mtu".</summary>
    public string Key { get; }
}
