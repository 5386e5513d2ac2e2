namespace Gateway.Ike;

/// <summary>Outcome of <see cref="ProposalSyntax.Parse"/>: a proposal, or an error naming the offending token.</summary>
public sealed record ProposalSyntaxResult(Proposal? Proposal, string? Error)
{
    public bool IsSuccess => Proposal is not null;
}

/// <summary>
/// strongSwan's proposal string syntax: algorithm keywords joined by '-', e.g. "aes256-sha256-modp2048" or
/// "aes128gcm16-prfsha256-x25519"; several keywords of one type make alternatives ("aes128-aes256-sha1-sha256-modp2048").
/// Rules (as strongSwan): an IKE proposal without PRF keyword gets one PRF per integrity algorithm (sha256 → prfsha256,
/// in order); an AEAD IKE proposal must name its PRF; IKE needs a key exchange group. For ESP/AH, no ESN keyword means
/// noesn, and a group means PFS. AEAD and classic ciphers cannot be mixed in one proposal.
/// </summary>
public static class ProposalSyntax
{
    public static ProposalSyntaxResult Parse(string text, ProtocolId protocol, byte number = 1)
    {
        if (protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah))
            return Error($"protocol {protocol} has no proposals");
        if (string.IsNullOrWhiteSpace(text))
            return Error("empty proposal");

        var byType = new Dictionary<TransformType, List<Transform>>();
        foreach (var raw in text.Trim().Split('-'))
        {
            var token = raw.Trim();
            if (!ProposalKeywords.TryGet(token, out var entry))
                return Error($"unknown algorithm '{token}' in '{text}'");
            if (!byType.TryGetValue(entry.Type, out var list))
                byType[entry.Type] = list = [];
            if (!list.Exists(t => t.Id == entry.Id && t.KeyLength == entry.KeyLength))
                list.Add(Transform.Create(entry.Type, entry.Id, entry.KeyLength));
        }

        var enc = Get(byType, TransformType.Encryption);
        var integ = Get(byType, TransformType.Integrity);
        var prf = Get(byType, TransformType.PseudorandomFunction);
        var ke = Get(byType, TransformType.KeyExchange);
        var esn = Get(byType, TransformType.ExtendedSequenceNumbers);

        int aead = enc.Count(t => ProposalKeywords.IsAead(t.Id));
        if (aead > 0 && aead < enc.Count)
            return Error($"'{text}' mixes AEAD and non-AEAD encryption algorithms");
        bool isAead = aead > 0;
        if (isAead && integ.Count > 0)
            return Error($"'{text}': an AEAD algorithm needs no integrity algorithm ('{ProposalKeywords.KeywordFor(integ[0])}')");

        switch (protocol)
        {
            case ProtocolId.Ike:
                if (enc.Count == 0)
                    return Error($"'{text}' has no encryption algorithm");
                if (!isAead && integ.Count == 0)
                    return Error($"'{text}' has no integrity algorithm");
                if (esn.Count > 0)
                    return Error($"'{text}': ESN keywords apply to ESP/AH only");
                if (prf.Count == 0)
                {
                    if (isAead)
                        return Error($"'{text}': an AEAD IKE proposal needs a PRF (e.g. prfsha256)");
                    foreach (var i in integ)
                    {
                        if (ProposalKeywords.PrfForIntegrity(i.Id) is { } p && !prf.Exists(t => t.Id == (ushort)p))
                            prf.Add(Transform.Prf(p));
                    }
                    if (prf.Count == 0)
                        return Error($"'{text}': no PRF can be derived from its integrity algorithms");
                }
                if (ke.Count == 0)
                    return Error($"'{text}' has no key exchange group");
                break;
            default:
                if (prf.Count > 0)
                    return Error($"'{text}': PRF keywords apply to IKE only");
                if (protocol == ProtocolId.Ah && enc.Count > 0)
                    return Error($"'{text}': AH has no encryption");
                if (protocol == ProtocolId.Esp && enc.Count == 0)
                    return Error($"'{text}' has no encryption algorithm");
                if (!isAead && integ.Count == 0)
                    return Error($"'{text}' has no integrity algorithm");
                if (esn.Count == 0)
                    esn.Add(Transform.Esn(ExtendedSequenceNumbers.No));
                break;
        }

        // Wire order follows the transform type numbers (RFC 7296 §3.3.2): ENCR, PRF, INTEG, KE, ESN.
        var transforms = new List<Transform>();
        transforms.AddRange(enc);
        transforms.AddRange(prf);
        transforms.AddRange(integ);
        transforms.AddRange(ke);
        transforms.AddRange(esn);
        return new ProposalSyntaxResult(new Proposal(number, protocol, ReadOnlyMemory<byte>.Empty, transforms), null);
    }

    /// <summary>Parses a comma-separated list of proposals, numbering them from 1.</summary>
    public static IReadOnlyList<Proposal> ParseList(string text, ProtocolId protocol)
    {
        var result = new List<Proposal>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var r = Parse(part, protocol, (byte)(result.Count + 1));
            if (!r.IsSuccess)
                throw new FormatException(r.Error);
            result.Add(r.Proposal!);
        }
        return result;
    }

    /// <summary>
    /// Writes a proposal back in strongSwan syntax: encryption, integrity, PRF, groups, ESN. Transforms without a
    /// keyword are written as "type:id[/bits]" so nothing is silently dropped (that form does not parse back).
    /// </summary>
    public static string Format(Proposal proposal)
    {
        var parts = new List<string>();
        foreach (var type in new[] { TransformType.Encryption, TransformType.Integrity, TransformType.PseudorandomFunction,
                     TransformType.KeyExchange, TransformType.ExtendedSequenceNumbers })
        {
            foreach (var t in proposal.OfType(type))
                parts.Add(ProposalKeywords.KeywordFor(t) ?? t.ToString());
        }
        foreach (var t in proposal.Transforms)
        {
            if ((int)t.Type > (int)TransformType.ExtendedSequenceNumbers)
                parts.Add(t.ToString());
        }
        return string.Join('-', parts);
    }

    private static List<Transform> Get(Dictionary<TransformType, List<Transform>> map, TransformType type) =>
        map.TryGetValue(type, out var list) ? list : [];

    private static ProposalSyntaxResult Error(string message) => new(null, message);
}
