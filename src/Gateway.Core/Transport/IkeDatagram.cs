using System.Net;

namespace Gateway.Core.Transport;

/// <summary>
/// One IKE message on the wire, without the 4-byte non-ESP marker that UDP 4500 puts in front of it.
/// <paramref name="Local"/> is our address and port it arrived on (or leaves from); <paramref name="Remote"/> the peer's.
/// </summary>
public sealed record IkeDatagram(ReadOnlyMemory<byte> Message, IPEndPoint Local, IPEndPoint Remote);
