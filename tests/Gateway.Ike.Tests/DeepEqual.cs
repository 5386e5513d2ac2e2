using System.Collections;
using System.Reflection;

namespace Gateway.Ike.Tests;

/// <summary>Structural comparison of parsed models: bytes by content, lists by element, records by public property.</summary>
internal static class DeepEqual
{
    public static void AssertEqual(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected} vs {actual}");
            return;
        }
        if (expected is ReadOnlyMemory<byte> em && actual is ReadOnlyMemory<byte> am)
        {
            Assert.True(em.Span.SequenceEqual(am.Span), $"{path}: bytes differ");
            return;
        }
        var type = expected.GetType();
        if (expected is IEnumerable ee && actual is IEnumerable ae && expected is not string)
        {
            var el = ee.Cast<object?>().ToList();
            var al = ae.Cast<object?>().ToList();
            Assert.True(el.Count == al.Count, $"{path}: count {el.Count} vs {al.Count}");
            for (int i = 0; i < el.Count; i++)
                AssertEqual(el[i], al[i], $"{path}[{i}]");
            return;
        }
        Assert.True(type == actual.GetType(), $"{path}: type {type.Name} vs {actual.GetType().Name}");
        if (type.IsPrimitive || type.IsEnum || expected is string or System.Net.IPAddress)
        {
            Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
            return;
        }
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0)
                continue;
            AssertEqual(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}");
        }
    }
}
