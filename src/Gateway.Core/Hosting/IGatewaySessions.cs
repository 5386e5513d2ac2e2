namespace Gateway.Core.Hosting;

/// <summary>What an admin endpoint needs: list and terminate IKE SAs (sessions are named by our responder SPI).</summary>
public interface IGatewaySessions
{
    /// <summary>Responder SPIs of the session entities this node hosts (other nodes answer for their own).</summary>
    Task<IReadOnlyList<ulong>> ListLocalAsync(TimeSpan timeout);

    /// <summary>Closes the IKE SA on whichever node holds it; the peer is told. Unknown SPIs are ignored.</summary>
    void Terminate(ulong responderSpi, string reason);
}
