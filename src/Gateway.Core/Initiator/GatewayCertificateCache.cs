using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Initiator;

/// <summary>
/// Gateway certificate chains that validated, shared by the many initiators of one load run: every tunnel gets the
/// same certificate from the same gateway, and parsing it and building its chain cost the generator as much CPU as
/// the rest of the handshake. An entry is keyed by the exact bytes of the CERT payloads and holds for this cache's
/// trust anchors only; it is validated again once <see cref="MaxAge"/> has passed or a certificate of its chain
/// expires. Only chains that validated are kept (a bad one is checked, and refused, every time). The AUTH signature is
/// not cached: it covers each handshake's own octets and is verified every time with the cached public key.
/// </summary>
public sealed class GatewayCertificateCache
{
    /// <summary>A load run talks to one gateway (a few with redirects): more entries than this start the cache afresh.</summary>
    private const int Capacity = 16;

    private readonly Dictionary<byte[], TrustedGatewayCertificate> _entries = new(ByteArrayContent.Comparer);
    private readonly byte[] _certificateRequestHashes;

    public GatewayCertificateCache(IReadOnlyList<X509Certificate2> trustedCas, TimeSpan? maxAge = null)
    {
        if (trustedCas.Count == 0)
            throw new ArgumentException("a certificate cache needs at least one trust anchor", nameof(trustedCas));
        TrustedCas = trustedCas;
        MaxAge = maxAge ?? TimeSpan.FromMinutes(1);
        _certificateRequestHashes = CertificateRequestHashesOf(trustedCas);
    }

    /// <summary>The anchors every entry was validated against; an initiator with other anchors does not use this cache.</summary>
    public IReadOnlyList<X509Certificate2> TrustedCas { get; }

    /// <summary>How long a validated chain is trusted before it is validated again.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>Chain validations done (misses and expired entries): what the cache saved is handshakes minus this.</summary>
    public int Validations => Volatile.Read(ref _validations);

    private int _validations;

    /// <summary>The CERTREQ body for <see cref="TrustedCas"/>, computed once (a copy: payloads keep what they are given).</summary>
    internal byte[] CertificateRequestHashes => (byte[])_certificateRequestHashes.Clone();

    /// <summary>SHA-1 of each CA's SubjectPublicKeyInfo, concatenated (RFC 7296 §3.7).</summary>
    internal static byte[] CertificateRequestHashesOf(IEnumerable<X509Certificate2> cas) =>
        cas.SelectMany(ca => SHA1.HashData(ca.PublicKey.ExportSubjectPublicKeyInfo())).ToArray();

    /// <summary>The validated end-entity certificate for these CERT payload bodies (end entity first), or why not.</summary>
    internal TrustedGatewayCertificate? Find(IReadOnlyList<ReadOnlyMemory<byte>> certificates, DateTime utcNow, out string? problem)
    {
        var key = KeyOf(certificates);
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var cached) && cached.StillTrustedAt(utcNow))
            {
                problem = null;
                return cached;
            }
        }
        Interlocked.Increment(ref _validations);
        var trusted = TrustedGatewayCertificate.Validate(certificates, TrustedCas, utcNow, MaxAge, out problem);
        if (trusted is null)
            return null;
        lock (_entries)
        {
            if (_entries.Count >= Capacity)
                _entries.Clear(); // evicted entries are not disposed: another initiator may be verifying with one
            _entries[key] = trusted;
        }
        return trusted;
    }

    /// <summary>Each certificate's length and bytes, in order: the exact CERT payloads, unambiguous.</summary>
    private static byte[] KeyOf(IReadOnlyList<ReadOnlyMemory<byte>> certificates)
    {
        var key = new byte[certificates.Sum(c => 4 + c.Length)];
        int at = 0;
        foreach (var c in certificates)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(at), c.Length);
            c.Span.CopyTo(key.AsSpan(at + 4));
            at += 4 + c.Length;
        }
        return key;
    }

    private sealed class ByteArrayContent : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayContent Comparer = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
