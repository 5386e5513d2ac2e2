using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>
/// Reassembles one fragmented message at a time (RFC 7383 §2.6) from fragments that were already authenticated.
/// Bounded: at most <c>maxFragments</c> fragments and <c>maxSize</c> plaintext bytes are held. Duplicates are ignored;
/// a fragment announcing more fragments than before restarts reassembly (the sender re-fragmented smaller), one
/// announcing fewer is dropped (§2.6.2); a fragment of another message replaces the one in progress (the caller only
/// feeds fragments of the message ID it currently accepts).
/// </summary>
internal sealed class FragmentReassembler(int maxFragments, int maxSize)
{
    private uint _messageId;
    private ushort _total;
    private byte[]?[] _parts = [];
    private int _received;
    private int _bytes;
    private PayloadType _firstInner;

    /// <summary>Plaintext bytes held right now (for tests and metrics).</summary>
    public int BufferedBytes => _bytes;

    /// <summary>Adds a fragment. Returns the whole inner payload chain once the last missing fragment arrives, else null.</summary>
    public (byte[] Plaintext, PayloadType FirstInner)? Add(OpenedFragment fragment, out bool rejected)
    {
        rejected = false;
        if (fragment.Total > maxFragments || fragment.Number == 0 || fragment.Number > fragment.Total)
        {
            rejected = true;
            return null;
        }
        if (_total == 0 || fragment.Header.MessageId != _messageId || fragment.Total > _total)
            Start(fragment.Header.MessageId, fragment.Total);
        else if (fragment.Total < _total)
        {
            rejected = true;
            return null;
        }
        int index = fragment.Number - 1;
        if (_parts[index] is not null)
            return null;
        if (_bytes + fragment.Plaintext.Length > maxSize)
        {
            Reset();
            rejected = true;
            return null;
        }
        _parts[index] = fragment.Plaintext;
        _bytes += fragment.Plaintext.Length;
        _received++;
        if (fragment.Number == 1)
            _firstInner = fragment.FirstInner;
        if (_received < _total)
            return null;

        var whole = new byte[_bytes];
        int at = 0;
        foreach (var part in _parts)
        {
            part!.CopyTo(whole, at);
            at += part.Length;
        }
        var first = _firstInner;
        Reset();
        return (whole, first);
    }

    public void Reset()
    {
        _total = 0;
        _parts = [];
        _received = 0;
        _bytes = 0;
        _firstInner = PayloadType.None;
    }

    private void Start(uint messageId, ushort total)
    {
        Reset();
        _messageId = messageId;
        _total = total;
        _parts = new byte[total][];
    }
}
