namespace Gateway.Core.Routing;

/// <summary>Draws the responder SPI for a new IKE SA (and so its entity and shard).</summary>
public interface IResponderSpiSource
{
    /// <summary>A fresh, random, nonzero SPI.</summary>
    ulong Next();
}
