using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gateway.Ike;

namespace Gateway.Core.IkeSa;

/// <summary>The network path of the IKE SA and its child SAs: our address, the peer's, and whether ESP goes in UDP.</summary>
internal readonly record struct PeerPath(IPEndPoint Local, IPEndPoint Remote, bool UdpEncapsulated)
{
    /// <summary>UDP encapsulation (RFC 3948) when a NAT is in the way or the peer already talks to our port 4500.</summary>
    public static PeerPath Of(IPEndPoint local, IPEndPoint remote, NatState nat) =>
        new(local, remote, nat.Any || local.Port == IkePorts.NatTraversal);
}

/// <summary>The verdict on one UPDATE_SA_ADDRESSES: the payloads to answer with and, unless refused, where the SA goes.</summary>
internal sealed record AddressUpdate(IReadOnlyList<Payload> Response, PeerPath? NewPath, NatState Nat, string? Refusal);

/// <summary>
/// MOBIKE as responder (RFC 4555): MOBIKE_SUPPORTED and our additional addresses in IKE_AUTH (§3.3, §3.4), the
/// checks of UPDATE_SA_ADDRESSES (§3.5: NAT detection with both SPIs, NO_NATS_ALLOWED → UNEXPECTED_NAT_DETECTED,
/// §3.9), COOKIE2 (§3.8) and the return-routability request. The responder moves only on UPDATE_SA_ADDRESSES: the
/// "follow the last authenticated address" rule of RFC 7296 §2.23 is not used together with MOBIKE (§3.5).
/// </summary>
internal sealed class MobikeResponder(ResponderOptions options)
{
    /// <summary>COOKIE2 length we send (RFC 4555 §3.8 allows 8–64 bytes).</summary>
    public const int Cookie2Length = 16;

    /// <summary>The peer sent MOBIKE_SUPPORTED in IKE_AUTH.</summary>
    public bool PeerSupports { get; private set; }

    /// <summary>MOBIKE is in use on this SA: the peer announced it and we answered it.</summary>
    public bool InUse => options.Mobike && PeerSupports;

    public void ObserveIkeAuthRequest(OpenedMessage request)
    {
        if (request.FindNotify(NotifyType.MobikeSupported) is not null)
            PeerSupports = true;
    }

    /// <summary>For the IKE_AUTH response: MOBIKE_SUPPORTED plus our other addresses (or NO_ADDITIONAL_ADDRESSES).</summary>
    public IReadOnlyList<Payload> IkeAuthResponseNotifies(IPEndPoint local)
    {
        if (!InUse)
            return [];
        var current = NatDetection.Normalize(local.Address);
        var list = new List<Payload> { NotifyPayload.Create(NotifyType.MobikeSupported) };
        foreach (var address in options.AdditionalAddresses)
        {
            if (!NatDetection.Normalize(address).Equals(current))
                list.Add(NotifyPayload.AdditionalAddress(NatDetection.Normalize(address)));
        }
        if (list.Count == 1)
            list.Add(NotifyPayload.Create(NotifyType.NoAdditionalAddresses));
        return list;
    }

    public static bool IsUpdate(OpenedMessage request) => request.FindNotify(NotifyType.UpdateSaAddresses) is not null;

    /// <summary>The COOKIE2 of a request, echoed unchanged in our response (RFC 4555 §3.8), or null.</summary>
    public static NotifyPayload? Cookie2Echo(OpenedMessage request) =>
        request.FindNotify(NotifyType.Cookie2) is { } c ? NotifyPayload.Create(NotifyType.Cookie2, c.Data.ToArray()) : null;

    /// <summary>Checks an UPDATE_SA_ADDRESSES request that arrived on <paramref name="local"/> from <paramref name="remote"/>.</summary>
    public AddressUpdate EvaluateUpdate(OpenedMessage request, IPEndPoint local, IPEndPoint remote, ulong spiI, ulong spiR)
    {
        if (request.FindNotify(NotifyType.NoNatsAllowed) is { } noNats && !MatchesNoNatsAllowed(noNats.Data.Span, remote, local))
        {
            // §3.9: the addresses the peer sent from/to differ from what we see — a NAT it does not allow.
            return new AddressUpdate([NotifyPayload.Create(NotifyType.UnexpectedNatDetected)], null, default, "UNEXPECTED_NAT_DETECTED");
        }
        bool natDetection = request.FindNotify(NotifyType.NatDetectionSourceIp) is not null;
        var nat = natDetection ? NatDetection.Evaluate(spiI, spiR, request.Payloads, local, remote) : default;
        var response = natDetection ? NatDetection.BuildResponseNotifies(spiI, spiR, local, remote) : [];
        return new AddressUpdate(response, PeerPath.Of(local, remote, nat), nat, null);
    }

    /// <summary>Our return-routability check: an INFORMATIONAL request with a fresh COOKIE2 (RFC 4555 §3.8).</summary>
    public static ReturnRoutabilityCheck ReturnRoutabilityCheck(IResponderServices services)
    {
        var cookie = new byte[Cookie2Length];
        services.Random(cookie);
        return new ReturnRoutabilityCheck(cookie);
    }

    /// <summary>True when the answer echoes the COOKIE2 we sent.</summary>
    public static bool EchoesCookie(ReturnRoutabilityCheck request, OpenedMessage response) =>
        response.FindNotify(NotifyType.Cookie2) is { } echo && echo.Data.Span.SequenceEqual(request.Cookie2);

    /// <summary>
    /// NO_NATS_ALLOWED data (RFC 4555 §3.9): source address, destination address, source port, destination port as
    /// the peer sent them (4+4+2+2 bytes for IPv4, 16+16+2+2 for IPv6).
    /// </summary>
    private static bool MatchesNoNatsAllowed(ReadOnlySpan<byte> data, IPEndPoint source, IPEndPoint destination)
    {
        var src = NatDetection.Normalize(source.Address);
        var dst = NatDetection.Normalize(destination.Address);
        int size = src.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        if (data.Length != 2 * size + 4 || dst.AddressFamily != src.AddressFamily)
            return false;
        return data[..size].SequenceEqual(src.GetAddressBytes())
               && data.Slice(size, size).SequenceEqual(dst.GetAddressBytes())
               && BinaryPrimitives.ReadUInt16BigEndian(data[(2 * size)..]) == source.Port
               && BinaryPrimitives.ReadUInt16BigEndian(data[(2 * size + 2)..]) == destination.Port;
    }
}
