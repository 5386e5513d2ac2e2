using Gateway.Configuration;

namespace Gateway.Tests;

/// <summary>Reads a user configuration (HOCON text over the embedded defaults) the way the gateway does.</summary>
internal static class UserConfig
{
    public static GatewaySettings Read(string? userConfig, TempDirectory dir)
    {
        string? file = userConfig is null ? null : dir.Write("user.conf", userConfig);
        return SettingsReader.Read(HoconLoader.Load(file), dir.Path);
    }

    /// <summary>A bad value is refused with one line that names its key and says what is wrong.</summary>
    public static void AssertRefusedInOneLine(string hocon, string key, string mention)
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<ConfigurationError>(() => Read(hocon, dir));
        Assert.Equal(key, error.Key);
        Assert.StartsWith($"configuration error: {key}: ", error.Message);
        Assert.Contains(mention, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
