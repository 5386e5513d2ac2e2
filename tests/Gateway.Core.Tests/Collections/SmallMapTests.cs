using Gateway.Core.Collections;

namespace Gateway.Core.Tests.Collections;

public sealed class SmallMapTests
{
    [Fact]
    public void SetGetAndOverwrite_BehaveLikeADictionary()
    {
        var map = new SmallMap<string, int>();
        Assert.Equal(0, map.Count);
        Assert.False(map.TryGetValue("a", out _));

        map["a"] = 1;
        map["b"] = 2;
        map["a"] = 3;

        Assert.Equal(2, map.Count);
        Assert.Equal(3, map["a"]);
        Assert.Equal(2, map.GetValueOrDefault("b"));
        Assert.Equal(0, map.GetValueOrDefault("c"));
        Assert.True(map.ContainsKey("b"));
        Assert.Throws<KeyNotFoundException>(() => map["c"]);
    }

    [Fact]
    public void Remove_ReturnsTheValueAndKeepsTheOthers()
    {
        var map = new SmallMap<uint, string>();
        for (uint i = 0; i < 5; i++)
            map[i] = $"v{i}";

        Assert.True(map.Remove(1, out var removed));
        Assert.Equal("v1", removed);
        Assert.False(map.Remove(1));
        Assert.Equal(4, map.Count);
        Assert.Equal(new uint[] { 0, 2, 3, 4 }, map.Keys.Order());
        Assert.Equal(new[] { "v0", "v2", "v3", "v4" }, map.Values.Order());
    }

    [Fact]
    public void RemovingTheLastEntry_LeavesAnEmptyMapThatGrowsAgain()
    {
        var map = new SmallMap<uint, int> { [7] = 70 };
        Assert.True(map.Remove(7));
        Assert.Equal(0, map.Count);
        Assert.Empty(map.ToArray());

        map[8] = 80;
        Assert.Equal(80, map[8]);
        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.False(map.ContainsKey(8));
    }

    [Fact]
    public void ChangingTheMapWhileWalkingASnapshot_IsSafe()
    {
        var map = new SmallMap<string, int> { ["x"] = 1, ["y"] = 2, ["z"] = 3 };
        foreach (var (key, value) in map.ToArray())
        {
            if (value != 2)
                map.Remove(key);
        }
        Assert.Equal(["y"], map.Keys);
    }
}
