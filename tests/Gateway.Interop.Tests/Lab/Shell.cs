using System.Diagnostics;
using System.Text;

namespace Gateway.Interop.Tests.Lab;

/// <summary>The outcome of one finished command.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    public string Describe() =>
        $"`{Command}` exited with {ExitCode}\n--- stdout ---\n{Tail(StdOut)}\n--- stderr ---\n{Tail(StdErr)}";

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];
}

/// <summary>Runs commands (no shell unless asked for) with a deadline; a command past its deadline is killed.</summary>
public static class Shell
{
    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        if (environment is not null)
            foreach ((string k, string v) in environment)
                start.Environment[k] = v;
        string command = file + " " + string.Join(' ', start.ArgumentList);

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync();
            throw new TimeoutException($"`{command}` did not finish within {timeout.TotalSeconds:0} s\n" +
                                       $"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
        }
        process.WaitForExit(); // flushes the asynchronous output readers
        return new CommandResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static Task<CommandResult> RunAsync(string file, params string[] args) =>
        RunAsync(file, args, TimeSpan.FromSeconds(60));

    /// <summary>Runs and requires exit code 0; otherwise throws with the command's output.</summary>
    public static async Task<CommandResult> CheckAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        string what, IReadOnlyDictionary<string, string>? environment = null)
    {
        CommandResult r = await RunAsync(file, args, timeout, environment);
        if (!r.Succeeded)
            throw new LabException($"{what} failed: {r.Describe()}");
        return r;
    }

    /// <summary>Sends a signal to a process by pid (the kill(1) utility: signals other than SIGKILL need no P/Invoke).</summary>
    public static async Task SignalAsync(int pid, string signal) =>
        await RunAsync("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(10));
}

public sealed class LabException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Wait for a condition by polling, with a deadline (no fixed sleeps).</summary>
public static class Poll
{
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = Stopwatch.StartNew();
        TimeSpan step = interval ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            if (await condition())
                return true;
            if (deadline.Elapsed >= timeout)
                return false;
            await Task.Delay(step);
        }
    }

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, interval);
}
