using System.Runtime.InteropServices;
using Gateway.Startup;

namespace Gateway.Tests;

public sealed class MallocArenasTests
{
    [Fact]
    public void The_arena_cap_is_taken_by_glibc_unless_the_operator_set_one()
    {
        bool operatorSetOne = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null;
        bool glibc = OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);
        Assert.Equal(glibc && !operatorSetOne, MallocArenas.Cap());
    }
}
