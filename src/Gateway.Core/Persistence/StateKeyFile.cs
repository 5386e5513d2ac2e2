using System.Text;

namespace Gateway.Core.Persistence;

/// <summary>
/// Where the state key comes from: the GATEWAY_STATE_KEY environment variable (64 hex digits or base64 of 32 bytes),
/// else a key file (the same text, or 32 raw bytes), else — for a single development host — a key generated once
/// into the data directory with permissions 0600. Errors name the source, never the key.
/// </summary>
public static class StateKeyFile
{
    public const string EnvironmentVariable = "GATEWAY_STATE_KEY";
    public const string DefaultFileName = "state.key";

    /// <summary>The key from the environment or <paramref name="keyFile"/>; when neither is set, generated into <paramref name="dataDir"/>.</summary>
    public static (StateKey Key, string Source, bool Generated) Load(string? environmentValue, string? keyFile, string dataDir)
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return (new StateKey(ParseText(environmentValue, EnvironmentVariable)), EnvironmentVariable, false);
        if (!string.IsNullOrWhiteSpace(keyFile))
            return (Read(keyFile), keyFile, false);
        string path = Path.Combine(dataDir, DefaultFileName);
        if (File.Exists(path))
            return (Read(path), path, false);
        Directory.CreateDirectory(dataDir);
        var key = StateKey.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600 from the first byte
        using (var stream = new FileStream(path, options))
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(key.Key).ToLowerInvariant() + "\n"));
        return (key, path, true);
    }

    public static StateKey Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFormatException($"state key file {path} cannot be read: {e.Message}");
        }
        return new StateKey(bytes.Length == StateKey.Length ? bytes : ParseText(Encoding.ASCII.GetString(bytes), path));
    }

    /// <summary>64 hex digits or base64 of 32 bytes.</summary>
    public static byte[] ParseText(string text, string source)
    {
        text = text.Trim();
        try
        {
            var bytes = text.Length == 2 * StateKey.Length ? Convert.FromHexString(text) : Convert.FromBase64String(text);
            if (bytes.Length == StateKey.Length)
                return bytes;
        }
        catch (FormatException)
        {
        }
        throw new StateFormatException($"{source}: a state key is 32 bytes as 64 hex digits or base64");
    }
}
