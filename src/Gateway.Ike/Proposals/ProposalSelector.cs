namespace Gateway.Ike;

/// <summary>The responder's choice: the peer's proposal number and SPI with one transform per type, or none.</summary>
public sealed record ProposalSelection(Proposal? Selected)
{
    public bool IsChosen => Selected is not null;

    /// <summary>Proposal number to echo in the response SA (RFC 7296 §3.3).</summary>
    public byte Number => Selected?.Number ?? 0;

    public static readonly ProposalSelection NoProposalChosen = new((Proposal?)null);
}

/// <summary>
/// Responder-side proposal selection.
/// <para>Rule: our configured proposals are tried in our order (like strongSwan's prefer_configured_proposals); for
/// each, the peer's proposals are tried in the peer's order, skipping other protocols. A pair matches when every
/// transform type present on either side has a common transform; for each type we take the first of OUR transforms
/// that the peer also offered. Transforms are equal when type, ID and Key Length (bits, exactly; absent ≠ present)
/// are equal. Integrity "NONE" and group "NONE" count as absent. For ESP/AH a missing ESN transform counts as
/// "no ESN". A KE group on only one side is no match (PFS must be agreed). The result carries the peer's proposal
/// number and SPI and one transform of each type; if no pair matches the answer is NO_PROPOSAL_CHOSEN.</para>
/// </summary>
public static class ProposalSelector
{
    private static readonly TransformType[] Types =
    [
        TransformType.Encryption, TransformType.PseudorandomFunction, TransformType.Integrity,
        TransformType.KeyExchange, TransformType.ExtendedSequenceNumbers,
    ];

    public static ProposalSelection Select(SecurityAssociationPayload offered, IReadOnlyList<Proposal> configured) =>
        Select(offered.Proposals, configured);

    public static ProposalSelection Select(IReadOnlyList<Proposal> offered, IReadOnlyList<Proposal> configured)
    {
        foreach (var ours in configured)
        {
            foreach (var theirs in offered)
            {
                if (theirs.Protocol != ours.Protocol)
                    continue;
                var chosen = Match(ours, theirs);
                // Exact-size copies: the selection is kept for the SA's life (every idle tunnel holds two), and the
                // offered SPI is a slice of the whole received message.
                if (chosen is not null)
                    return new ProposalSelection(new Proposal(theirs.Number, theirs.Protocol, theirs.Spi.ToArray(), chosen.ToArray()));
            }
        }
        return ProposalSelection.NoProposalChosen;
    }

    private static List<Transform>? Match(Proposal ours, Proposal theirs)
    {
        var chosen = new List<Transform>(5);
        foreach (var type in Types)
        {
            var mine = Effective(ours, type);
            var peer = Effective(theirs, type);
            if (mine.Count == 0 && peer.Count == 0)
                continue;
            Transform? pick = null;
            foreach (var t in mine)
            {
                if (peer.Exists(p => Same(p, t)))
                {
                    pick = t;
                    break;
                }
            }
            if (pick is not { } found)
                return null;
            chosen.Add(found);
        }
        return chosen;
    }

    private static List<Transform> Effective(Proposal p, TransformType type)
    {
        var list = new List<Transform>();
        foreach (var t in p.OfType(type))
        {
            bool none = type is TransformType.Integrity or TransformType.KeyExchange && t.Id == 0;
            if (!none)
                list.Add(t);
        }
        if (type == TransformType.ExtendedSequenceNumbers && list.Count == 0 && p.Protocol is ProtocolId.Esp or ProtocolId.Ah)
            list.Add(Transform.Esn(ExtendedSequenceNumbers.No));
        return list;
    }

    private static bool Same(Transform a, Transform b) => a.Type == b.Type && a.Id == b.Id && a.KeyLength == b.KeyLength;
}
