using System.Net;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>Whether a NAT sits in front of the peer and/or of us, from NAT_DETECTION_*_IP (RFC 7296 §2.23).</summary>
public readonly record struct NatState(bool PeerBehindNat, bool LocalBehindNat)
{
    public bool Any => PeerBehindNat || LocalBehindNat;
}

/// <summary>NAT detection both ways: checks the initiator's hashes and builds ours.</summary>
internal static class NatDetection
{
    /// <summary>
    /// Evaluates the hashes of an IKE_SA_INIT request. The initiator computed them with the SPIs of its header, so
    /// the responder SPI is zero. No NATD notifies → no NAT assumed (the peer does not support NAT-T).
    /// </summary>
    public static NatState Evaluate(IkeMessage request, IPEndPoint local, IPEndPoint remote) =>
        Evaluate(request.Header.InitiatorSpi, request.Header.ResponderSpi, request.Payloads, local, remote);

    /// <summary>
    /// Evaluates NAT_DETECTION_*_IP notifies computed with these SPIs (both set after IKE_SA_INIT, e.g. in a MOBIKE
    /// UPDATE_SA_ADDRESSES, RFC 4555 §3.5).
    /// </summary>
    public static NatState Evaluate(ulong spiI, ulong spiR, IEnumerable<Payload> payloads, IPEndPoint local, IPEndPoint remote)
    {
        bool anySource = false, sourceMatches = false, destinationSeen = false, destinationMatches = false;
        byte[]? remoteHash = null, localHash = null;
        foreach (var p in payloads)
        {
            if (p is not NotifyPayload n)
                continue;
            if (n.NotifyType == NotifyType.NatDetectionSourceIp)
            {
                anySource = true;
                remoteHash ??= Hash(spiI, spiR, remote);
                sourceMatches |= n.Data.Span.SequenceEqual(remoteHash);
            }
            else if (n.NotifyType == NotifyType.NatDetectionDestinationIp)
            {
                destinationSeen = true;
                localHash ??= Hash(spiI, spiR, local);
                destinationMatches |= n.Data.Span.SequenceEqual(localHash);
            }
        }
        return new NatState(anySource && !sourceMatches, destinationSeen && !destinationMatches);
    }

    /// <summary>Our NATD_S_IP (our address) and NATD_D_IP (the peer's address as we see it), with both SPIs set.</summary>
    public static Payload[] BuildResponseNotifies(ulong spiI, ulong spiR, IPEndPoint local, IPEndPoint remote) =>
    [
        NotifyPayload.NatDetection(source: true, Hash(spiI, spiR, local)),
        NotifyPayload.NatDetection(source: false, Hash(spiI, spiR, remote)),
    ];

    public static bool Offered(IkeMessage request) => request.FindNotify(NotifyType.NatDetectionSourceIp) is not null;

    private static byte[] Hash(ulong spiI, ulong spiR, IPEndPoint endpoint) =>
        NotifyPayload.ComputeNatDetectionHash(spiI, spiR, Normalize(endpoint.Address), (ushort)endpoint.Port);

    /// <summary>Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; the hash is over the 4-byte address.</summary>
    internal static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
