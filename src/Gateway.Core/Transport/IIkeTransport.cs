namespace Gateway.Core.Transport;

/// <summary>
/// Sends IKE messages. Implemented by the executable's sockets: it adds the non-ESP marker when the local port is
/// the NAT-T port (4500). Must be thread-safe: actors of many IKE SAs call it concurrently.
/// </summary>
public interface IIkeTransport
{
    void Send(IkeDatagram datagram);
}

/// <summary>Where the executable hands every received IKE message (the Core's front door). Thread-safe.</summary>
public interface IIkeIngress
{
    void Receive(IkeDatagram datagram);
}
