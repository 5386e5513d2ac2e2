using Xunit.Sdk;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>Runs a class's tests in the order of their <see cref="ScenarioAttribute"/> number (the gateway's stop last).</summary>
public sealed class ScenarioOrderer : ITestCaseOrderer
{
    public const string TypeName = "Gateway.Interop.Tests.Scenarios.ScenarioOrderer";
    public const string AssemblyName = "Gateway.Interop.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(tc => tc.TestMethod.Method.GetCustomAttributes(typeof(ScenarioAttribute).AssemblyQualifiedName)
                .FirstOrDefault()?.GetNamedArgument<int>(nameof(ScenarioAttribute.Order)) ?? int.MaxValue)
            .ThenBy(tc => tc.TestMethod.Method.Name, StringComparer.Ordinal);
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class ScenarioAttribute : Attribute
{
    public int Order { get; set; }
}
