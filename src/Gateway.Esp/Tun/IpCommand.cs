using System.Diagnostics;

namespace Gateway.Esp.Tun;

/// <summary>
/// Runs iproute2's <c>ip</c> for interface configuration (MTU, link up, addresses, routes). Configuration happens a
/// handful of times per gateway start, so a process per step is cheap enough and far simpler than rtnetlink messages.
/// Arguments go through ArgumentList, never a shell.
/// </summary>
internal static class IpCommand
{
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'ip'.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'ip {string.Join(' ', arguments)}' failed ({process.ExitCode}): {stderr.Trim()}");
    }
}
