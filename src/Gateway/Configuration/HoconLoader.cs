using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Gateway.Configuration;

/// <summary>
/// Reads the configuration: the embedded defaults (hocon/gateway.conf, which includes cluster.conf) with an optional
/// user file on top. `include "name"` resolves next to the including file first, then to the embedded file of that
/// name, so a user file can start with <c>include "gateway.conf"</c> without a copy of it on disk.
/// </summary>
public static class HoconLoader
{
    /// <summary>The embedded defaults alone.</summary>
    public static Config Defaults() => Parse(EmbeddedText("gateway.conf")!, directory: null, "embedded gateway.conf");

    /// <summary>The user file (if any) over the embedded defaults.</summary>
    /// <exception cref="ConfigurationError">The file is missing or is not valid HOCON.</exception>
    public static Config Load(string? configFile)
    {
        Config defaults = Defaults();
        if (configFile is null)
            return defaults;
        string full = Path.GetFullPath(configFile);
        if (!File.Exists(full))
            throw new ConfigurationError("--config", $"file '{full}' does not exist");
        Config user = Parse(File.ReadAllText(full), Path.GetDirectoryName(full), full);
        return user.WithFallback(defaults);
    }

    /// <summary>The text of an embedded configuration file, or null.</summary>
    public static string? EmbeddedText(string name)
    {
        using Stream? stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name);
        if (stream is null)
            return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Config Parse(string text, string? directory, string source)
    {
        try
        {
            return ConfigurationFactory.ParseString(text, name => Include(name, directory));
        }
        catch (ConfigurationError)
        {
            throw;
        }
        catch (Exception e)
        {
            // Akka's parser reports position and token; keep it on one line.
            throw new ConfigurationError(source, "not valid HOCON: " + OneLine(e.Message), e);
        }
    }

    private static HoconRoot Include(string name, string? directory)
    {
        string? path = directory is null ? null : Path.GetFullPath(Path.Combine(directory, name));
        if (path is not null && File.Exists(path))
            return Parser.Parse(File.ReadAllText(path), n => Include(n, Path.GetDirectoryName(path)));
        string? embedded = EmbeddedText(Path.GetFileName(name));
        if (embedded is null)
            throw new ConfigurationError("include", $"\"{name}\" is neither a file next to the including file nor an embedded file (gateway.conf, cluster.conf)");
        return Parser.Parse(embedded, n => Include(n, directory: null));
    }

    internal static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
