namespace Gateway.Esp;

/// <summary>
/// What the SA table holds for one direction of one child SA. The cipher and SPI are fixed for the SA's life (a rekey
/// installs a new SA); the peer path may change (MOBIKE) and is swapped as one immutable object.
/// </summary>
public abstract class SecurityAssociation
{
    private readonly InnerAddress[] _innerAddresses;
    private PeerPath _path;

    protected SecurityAssociation(uint spi, IEspCipher cipher, PeerPath path, IEnumerable<InnerAddress> innerAddresses)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(innerAddresses);
        Spi = spi;
        Cipher = cipher;
        _path = path;
        _innerAddresses = innerAddresses.ToArray(); // copied once at install: callers cannot change it afterwards
        InstalledAtMilliseconds = Environment.TickCount64;
    }

    public uint Spi { get; }

    public IEspCipher Cipher { get; }

    /// <summary>The client's virtual (inner) addresses this SA serves.</summary>
    public ReadOnlySpan<InnerAddress> InnerAddresses => _innerAddresses;

    /// <summary>The peer's current outer address and encapsulation; read once per packet.</summary>
    public PeerPath Path => Volatile.Read(ref _path);

    /// <summary>Packets, bytes (lifetime accounting), drops.</summary>
    public SaCounters Counters { get; } = new();

    /// <summary><see cref="Environment.TickCount64"/> at install, for time-based lifetimes.</summary>
    public long InstalledAtMilliseconds { get; }

    /// <summary>MOBIKE (RFC 4555) or a NAT mapping change: the next packet uses the new address and encapsulation.</summary>
    public void UpdatePath(PeerPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Volatile.Write(ref _path, path);
    }

    /// <summary>Whether <paramref name="address"/> is one of this SA's inner addresses (a linear scan of one or two).</summary>
    public bool ServesInnerAddress(InnerAddress address)
    {
        foreach (InnerAddress a in _innerAddresses)
        {
            if (a == address)
                return true;
        }
        return false;
    }
}

/// <summary>An inbound SA, looked up by the SPI of arriving ESP packets.</summary>
public sealed class InboundSa : SecurityAssociation
{
    public InboundSa(uint spi, IEspCipher cipher, ReplayWindow replayWindow, PeerPath path, IEnumerable<InnerAddress> innerAddresses)
        : base(spi, cipher, path, innerAddresses)
    {
        ArgumentNullException.ThrowIfNull(replayWindow);
        ReplayWindow = replayWindow;
    }

    public ReplayWindow ReplayWindow { get; }

    /// <summary>Traffic-selector check: a client may only send from an address it was assigned.</summary>
    public bool AllowsSource(InnerAddress source) => ServesInnerAddress(source);
}

/// <summary>An outbound SA, looked up by the inner destination of packets read from the TUN device.</summary>
public sealed class OutboundSa : SecurityAssociation
{
    public OutboundSa(uint spi, IEspCipher cipher, SequenceCounter sequence, PeerPath path, IEnumerable<InnerAddress> innerAddresses)
        : base(spi, cipher, path, innerAddresses)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        Sequence = sequence;
    }

    public SequenceCounter Sequence { get; }
}
