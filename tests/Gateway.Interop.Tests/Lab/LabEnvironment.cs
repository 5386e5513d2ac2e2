using System.Reflection;

namespace Gateway.Interop.Tests.Lab;

/// <summary>Where things are: the repository, its lab scripts, the built gateway; and the root requirement.</summary>
public static class LabEnvironment
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string LabDir => Path.Combine(RepoRoot, "ops", "lab");

    public static string Script(string name) => Path.Combine(LabDir, name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")) && Directory.Exists(Path.Combine(dir.FullName, "ops", "lab")))
                return dir.FullName;
        throw new LabException($"cannot find the repository (Gateway.sln and ops/lab) above {AppContext.BaseDirectory}");
    }

    private static string Metadata(string key) =>
        typeof(LabEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value ?? throw new LabException($"assembly metadata {key} missing");

    /// <summary>
    /// The gateway built alongside these tests (same configuration), or GATEWAY_DLL when set.
    /// </summary>
    public static string GatewayDll =>
        Environment.GetEnvironmentVariable("GATEWAY_DLL") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(RepoRoot, "src", "Gateway", "bin", Metadata("BuildConfiguration"), Metadata("TargetFramework"),
                "Gateway.dll");

    /// <summary>The load generator built alongside these tests (same configuration), or LOADTEST_DLL when set.</summary>
    public static string LoadTestDll =>
        Environment.GetEnvironmentVariable("LOADTEST_DLL") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(RepoRoot, "src", "Gateway.LoadTest", "bin", Metadata("BuildConfiguration"), Metadata("TargetFramework"),
                "Gateway.LoadTest.dll");

    /// <summary>The dotnet host running these tests (dotnet test sets DOTNET_HOST_PATH), else dotnet from PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static void RequireRoot()
    {
        if (!Environment.IsPrivilegedProcess)
            throw new LabException(
                "the interop tests need root: they create network namespaces, veth pairs and TUN devices and run " +
                "strongSwan in them. Run the tests as root (ops/test.sh as root, as CI does).");
    }
}
