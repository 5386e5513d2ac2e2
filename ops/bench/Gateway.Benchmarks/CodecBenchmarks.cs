using BenchmarkDotNet.Attributes;
using Gateway.Ike;

namespace Gateway.Benchmarks;

/// <summary>
/// Parse and build of real strongSwan messages: the IKE_SA_INIT request; the IKE_AUTH request decrypted (IDi
/// N(INIT_CONTACT) CERTREQ IDr AUTH CP SA TSi TSr + 5 notifies — the "typical IKE_AUTH"); the same IKE_AUTH as it
/// arrives (header + SK); the INFORMATIONAL delete request decrypted.
/// </summary>
public class CodecBenchmarks
{
    public const string IkeAuth = "IKE_AUTH request (decrypted)";

    private byte[] _bytes = [];
    private byte[] _buffer = new byte[4096];
    private IkeMessage _message = null!;

    public static IEnumerable<string> Messages => ["IKE_SA_INIT request", IkeAuth, "IKE_AUTH request (SK, on wire)", "INFORMATIONAL request (decrypted)"];

    [ParamsSource(nameof(Messages))]
    public string Message { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _bytes = Message switch
        {
            "IKE_SA_INIT request" => Fixtures.IkeSaInitRequest,
            IkeAuth => Fixtures.IkeAuthDecrypted(),
            "IKE_AUTH request (SK, on wire)" => Fixtures.IkeAuthOnWire,
            _ => Fixtures.InformationalDecrypted(),
        };
        var parsed = IkeMessage.Parse(_bytes);
        _message = parsed.Value ?? throw new InvalidOperationException(parsed.ToString());
        _buffer = new byte[_bytes.Length];
        if (_message.WriteTo(_buffer) != _bytes.Length || !_buffer.AsSpan().SequenceEqual(_bytes))
            throw new InvalidOperationException($"{Message}: build(parse(bytes)) != bytes");
    }

    [Benchmark]
    public IkeMessage? Parse() => IkeMessage.Parse(_bytes).Value;

    [Benchmark]
    public int Build() => _message.WriteTo(_buffer);

    [Benchmark]
    public int ParseAndBuild() => IkeMessage.Parse(_bytes).Value!.WriteTo(_buffer);

    /// <summary>
    /// The same without the parser's copy of the input, as for a buffer the caller hands over (the responder's
    /// decrypted SK plaintext). The target is judged on <see cref="ParseAndBuild"/>, the copying form.
    /// </summary>
    [Benchmark]
    public int ParseWithoutCopyAndBuild() => IkeMessage.ParseWithoutCopy(_bytes).Value!.WriteTo(_buffer);
}
