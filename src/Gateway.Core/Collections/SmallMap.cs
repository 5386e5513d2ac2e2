using System.Diagnostics.CodeAnalysis;

namespace Gateway.Core.Collections;

/// <summary>
/// A map for the handful of entries one SA holds (its timers, child SA lifetimes, sequence marks): an array of pairs
/// searched in order, allocated on the first entry. A Dictionary costs 80 bytes empty and about 200 with one entry
/// (buckets, entries, a key collection) — for every idle tunnel, several times; this costs 24 bytes empty and
/// 16 + one pair per entry. Lookups are linear: meant for a few entries, not many. Not thread-safe.
/// </summary>
public sealed class SmallMap<TKey, TValue> where TKey : notnull
{
    private KeyValuePair<TKey, TValue>[]? _pairs;
    private int _count;

    public int Count => _count;

    /// <summary>The entries in insertion order (a removal moves the last one into the gap). A copy: safe to change the map while walking it.</summary>
    public KeyValuePair<TKey, TValue>[] ToArray() => _pairs is null ? [] : _pairs.AsSpan(0, _count).ToArray();

    public IEnumerable<TKey> Keys => ToArray().Select(p => p.Key);

    public IEnumerable<TValue> Values => ToArray().Select(p => p.Value);

    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no entry for {key}");
        set
        {
            int i = IndexOf(key);
            if (i >= 0)
            {
                _pairs![i] = new(key, value);
                return;
            }
            if (_pairs is null || _count == _pairs.Length)
                Array.Resize(ref _pairs, _count == 0 ? 1 : _count * 2);
            _pairs[_count++] = new(key, value);
        }
    }

    public bool ContainsKey(TKey key) => IndexOf(key) >= 0;

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        int i = IndexOf(key);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = _pairs![i].Value;
        return true;
    }

    public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

    public bool Remove(TKey key) => Remove(key, out _);

    public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        int i = IndexOf(key);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = _pairs![i].Value;
        _count--;
        _pairs[i] = _pairs[_count];
        _pairs[_count] = default;
        if (_count == 0)
            _pairs = null; // an SA that had a child and lost it goes back to 24 bytes
        return true;
    }

    public void Clear()
    {
        _pairs = null;
        _count = 0;
    }

    private int IndexOf(TKey key)
    {
        var comparer = EqualityComparer<TKey>.Default;
        for (int i = 0; i < _count; i++)
            if (comparer.Equals(_pairs![i].Key, key))
                return i;
        return -1;
    }
}
