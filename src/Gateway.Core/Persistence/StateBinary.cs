using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Gateway.Core.Persistence;

/// <summary>Big-endian writer for state bodies: fixed-order fields, lengths before variable data.</summary>
internal sealed class StateWriter
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public void U8(byte v) => _stream.WriteByte(v);
    public void Bool(bool v) => U8(v ? (byte)1 : (byte)0);

    public void U16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        _stream.Write(b);
    }

    public void U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        _stream.Write(b);
    }

    public void U64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        _stream.Write(b);
    }

    public void Bytes(ReadOnlySpan<byte> v)
    {
        U32((uint)v.Length);
        _stream.Write(v);
    }

    public void Text(string v) => Bytes(Encoding.UTF8.GetBytes(v));

    public void Time(DateTime? v)
    {
        Bool(v.HasValue);
        if (v is { } t)
            U64((ulong)t.ToUniversalTime().Ticks);
    }

    public void Address(IPAddress a) => Bytes(a.GetAddressBytes());

    public void Endpoint(IPEndPoint e)
    {
        Address(e.Address);
        U16((ushort)e.Port);
    }

    public void List<T>(IReadOnlyCollection<T> items, Action<T> write)
    {
        U32((uint)items.Count);
        foreach (var item in items)
            write(item);
    }
}

/// <summary>Reads what <see cref="StateWriter"/> wrote; truncation or absurd lengths → <see cref="StateFormatException"/>.</summary>
internal sealed class StateReader(byte[] data)
{
    private int _at;

    public bool AtEnd => _at == data.Length;

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _at + n > data.Length)
            throw new StateFormatException($"state body truncated at byte {_at} (wanted {n} more of {data.Length})");
        var span = data.AsSpan(_at, n);
        _at += n;
        return span;
    }

    public byte U8() => Take(1)[0];
    public bool Bool() => U8() != 0;
    public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));
    public byte[] Bytes() => Take(checked((int)U32())).ToArray();
    public string Text() => Encoding.UTF8.GetString(Bytes());
    public DateTime? Time() => Bool() ? new DateTime((long)U64(), DateTimeKind.Utc) : null;
    public IPAddress Address() => new(Bytes());
    public IPEndPoint Endpoint() => new(Address(), U16());

    public IReadOnlyList<T> List<T>(Func<T> read)
    {
        uint count = U32();
        if (count > data.Length - _at)
            throw new StateFormatException($"state body claims {count} items with {data.Length - _at} bytes left");
        var items = new T[count];
        for (int i = 0; i < items.Length; i++)
            items[i] = read();
        return items;
    }
}
