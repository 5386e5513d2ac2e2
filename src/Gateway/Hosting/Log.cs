namespace Gateway.Hosting;

/// <summary>
/// The gateway's log: one line per event on stdout with a UTC timestamp and level, so a test or journald can read it.
/// Never pass keys or passwords here.
/// </summary>
public static class Log
{
    private static readonly object Gate = new();

    public static TextWriter Out { get; set; } = Console.Out;

    public static void Info(string message) => Write("INFO", message);

    public static void Warn(string message) => Write("WARN", message);

    public static void Error(string message) => Write("ERROR", message);

    private static void Write(string level, string message)
    {
        lock (Gate)
        {
            Out.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {message}");
            Out.Flush();
        }
    }
}
