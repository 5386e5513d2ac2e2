using System.Buffers.Binary;

namespace Gateway.Ike;

/// <summary>SA payload (RFC 7296 §3.3): one or more proposals.</summary>
/// <remarks>Numbering (§3.3.1): in a request the first proposal is 1 and each next one is equal (same proposal,
/// another protocol) or one more. A response carries the accepted proposal, so its first number may be any
/// non-zero value; the same-or-one-more rule still applies after it.</remarks>
public sealed record SecurityAssociationPayload(IReadOnlyList<Proposal> Proposals) : Payload
{
    public override PayloadType Type => PayloadType.SecurityAssociation;

    public override int GetBodySize()
    {
        var proposals = new ListView<Proposal>(Proposals);
        int size = 0;
        for (int i = 0; i < proposals.Count; i++)
            size += proposals[i].GetSize();
        return size;
    }

    public override int WriteBody(Span<byte> d)
    {
        var proposals = new ListView<Proposal>(Proposals);
        int pos = 0;
        for (int i = 0; i < proposals.Count; i++)
            pos += proposals[i].WriteTo(d[pos..], i == proposals.Count - 1);
        return pos;
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, int offset, bool isResponse, out Payload? payload, out IkeParseFailure f)
    {
        const PayloadType sa = PayloadType.SecurityAssociation;
        payload = null;
        var span = body.Span;
        if (span.Length == 0)
            return ParseHelpers.Fail(out f, IkeParseError.ProposalCountMismatch, sa, offset, "SA payload without proposals");

        var proposals = new Proposal[CountProposals(span)];
        int count = 0;
        int pos = 0;
        int previous = 0;
        while (true)
        {
            if (count >= IkeLimits.MaxProposals)
                return ParseHelpers.Fail(out f, IkeParseError.TooManyElements, sa, offset + pos, "too many proposals");
            if (span.Length - pos < Proposal.HeaderLength)
                return ParseHelpers.Fail(out f, IkeParseError.ProposalCountMismatch, sa, offset + pos, "proposal header truncated");
            byte lastFlag = span[pos];
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length < Proposal.HeaderLength || length > span.Length - pos)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidLength, sa, offset + pos, $"proposal length {length}");
            if (lastFlag is not (0 or 2))
                return ParseHelpers.Fail(out f, IkeParseError.ProposalCountMismatch, sa, offset + pos, $"proposal last flag {lastFlag}");
            int number = span[pos + 4];
            bool numberOk = previous == 0 ? number == 1 || isResponse && number != 0 : number == previous || number == previous + 1;
            if (!numberOk)
                return ParseHelpers.Fail(out f, IkeParseError.InvalidProposalNumbering, sa, offset + pos + 4, $"proposal number {number} after {previous}");
            if (!Proposal.TryParse(body.Slice(pos, length), offset + pos, out var proposal, out f))
                return false;
            // In range: a proposal is reached only where CountProposals (same length checks) counted one.
            proposals[count++] = proposal!;
            previous = number;
            pos += length;
            bool bytesLeft = pos < span.Length;
            if (lastFlag == 0 && bytesLeft)
                return ParseHelpers.Fail(out f, IkeParseError.ProposalCountMismatch, sa, offset + pos, "bytes after the last proposal");
            if (lastFlag == 2 && !bytesLeft)
                return ParseHelpers.Fail(out f, IkeParseError.ProposalCountMismatch, sa, offset + pos, "more proposals announced, none present");
            if (lastFlag == 0)
                break;
        }
        payload = new SecurityAssociationPayload(proposals);
        f = default;
        return true;
    }

    /// <summary>
    /// The number of proposals, from their headers alone (last flag, length), so that the array is allocated once
    /// at its final size. Stops at the limit or at the first impossible length; the parse reports the defect.
    /// </summary>
    private static int CountProposals(ReadOnlySpan<byte> span)
    {
        int count = 0;
        int pos = 0;
        while (count < IkeLimits.MaxProposals && span.Length - pos >= Proposal.HeaderLength)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(span[(pos + 2)..]);
            if (length < Proposal.HeaderLength)
                break;
            count++;
            if (span[pos] != 2)
                break;
            pos += length;
        }
        return count;
    }
}
