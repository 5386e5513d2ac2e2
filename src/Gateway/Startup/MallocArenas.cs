using System.Runtime.InteropServices;

namespace Gateway.Startup;

/// <summary>
/// Caps glibc's malloc arenas at two, first thing in Main. glibc gives threads their own arenas (up to 8 per core) and
/// each keeps its freed memory: SQLite, OpenSSL and the runtime allocate natively from many thread-pool threads, and
/// at 10k idle tunnels the arenas had grown by about 1.6 KB per tunnel against 0.36 KB with two
/// (docs/loadtest-profile.md). The same as MALLOC_ARENA_MAX=2, but it holds however the gateway is started
/// (<c>dotnet run</c>, a built binary, a service) without an environment to remember. Arenas made before this call
/// stay (the runtime's first threads); no more are made after it. Not glibc (musl): nothing to do.
/// </summary>
internal static partial class MallocArenas
{
    private const int MArenaMax = -8; // M_ARENA_MAX, glibc malloc.h

    /// <summary>The cap (an operator's MALLOC_ARENA_MAX, when set, is left alone).</summary>
    public const int Max = 2;

    /// <summary>True when glibc took the cap; false when it was not asked (MALLOC_ARENA_MAX set, not Linux) or not glibc.</summary>
    public static bool Cap()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
            return false;
        try
        {
            return mallopt(MArenaMax, Max) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // not glibc
        }
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int param, int value);
}
