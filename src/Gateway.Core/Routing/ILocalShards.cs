namespace Gateway.Core.Routing;

/// <summary>Shards this node hosts, as last observed; empty means "no preference".</summary>
public interface ILocalShards
{
    IReadOnlyList<int> Current { get; }
}

/// <summary>No preference: right for a single node, where every shard is local anyway.</summary>
public sealed class NoLocalShardPreference : ILocalShards
{
    public static readonly NoLocalShardPreference Instance = new();
    public IReadOnlyList<int> Current => [];
}
