using System.Security.Cryptography;

namespace Gateway.Core.Persistence;

/// <summary>
/// One AES-256 key for state at rest. Its id is derived from the key (first 4 bytes of SHA-256 over a label and the
/// key), so a blob names the key that sealed it without any registry, and nothing about the key is revealed.
/// </summary>
public sealed class StateKey
{
    public const int Length = 32;

    public StateKey(byte[] key)
    {
        if (key.Length != Length)
            throw new ArgumentException($"a state key has {Length} bytes, not {key.Length}", nameof(key));
        Key = key.ToArray();
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData([.. "gateway-state-key-id"u8, .. key], digest);
        Id = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest);
    }

    public uint Id { get; }

    internal byte[] Key { get; }

    public static StateKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    /// <summary>Never print the key.</summary>
    public override string ToString() => $"StateKey(id {Id:x8}; redacted)";
}

/// <summary>
/// The keys for state at rest: <see cref="Current"/> seals; it and the older ones open, so keys rotate by configuring
/// a new current key and keeping the old ones until every blob was written again (each change re-encrypts with the
/// current key).
/// </summary>
public sealed class StateKeyRing
{
    private readonly Dictionary<uint, StateKey> _byId = new();

    public StateKeyRing(StateKey current, IEnumerable<StateKey>? older = null)
    {
        Current = current;
        _byId[current.Id] = current;
        foreach (var key in older ?? [])
            _byId.TryAdd(key.Id, key);
    }

    public StateKey Current { get; }

    public StateKey? Find(uint id) => _byId.GetValueOrDefault(id);
}
