using System.Net;
using Gateway.Core.Initiator;
using Gateway.Crypto.Esp;
using Gateway.DataPlane;
using Gateway.Esp;

namespace Gateway.LoadTest.Traffic;

/// <summary>
/// One tunnel's ESP traffic, through the product's data-plane code: a private <see cref="SecurityAssociationTable"/>
/// with the tunnel's child SA (outbound routes the target address, inbound is found by SPI), sealed by
/// <see cref="EspOutbound"/> and opened by <see cref="EspInbound"/> (anti-replay, ICV, inner source = the target), with
/// Gateway.Crypto's ESP transforms behind the gateway's own adapter. A rekey installs the new child make-before-break;
/// the old inbound half stays until the old child is deleted. One lock: sends come from the scheduler, receives from
/// the socket loops, and the replay window must see one packet at a time.
/// </summary>
internal sealed class EspFlow : IDisposable
{
    private readonly object _gate = new();
    private readonly SecurityAssociationTable _table = new();
    private readonly Dictionary<uint, InstalledChild> _installed = []; // by inbound SPI
    private readonly IPAddress _target;
    private readonly ushort _identifier;
    private readonly byte[] _inner;
    private readonly byte[] _sealed;
    private readonly byte[] _opened;
    private ushort _sequence;
    private uint _currentInbound;
    private OutboundSa? _currentOutbound;

    public EspFlow(EstablishedChildSa child, IPAddress virtualAddress, IPAddress target, int size, ushort identifier, IPEndPoint gateway)
    {
        _target = target;
        _identifier = identifier;
        Gateway = gateway;
        _inner = IcmpEcho.Request(virtualAddress, target, size, identifier);
        _sealed = new byte[size + 256];
        _opened = new byte[size + 256 + 2048];
        Install(child);
    }

    /// <summary>Where ESP goes (the gateway's UDP 4500 when encapsulated).</summary>
    public IPEndPoint Gateway { get; }

    public long Sent { get; private set; }
    public long Received { get; private set; }
    public long BytesSent { get; private set; }
    public long BytesReceived { get; private set; }

    /// <summary>ESP packets that did not verify, were replays or were not our echo replies (counted, dropped).</summary>
    public long Dropped { get; private set; }

    /// <summary>Why packets were dropped: an <see cref="InboundResult"/> name, or "NotOurEchoReply".</summary>
    public IReadOnlyDictionary<string, long> DropsByReason { get { lock (_gate) return new Dictionary<string, long>(_drops); } }

    private readonly Dictionary<string, long> _drops = new(StringComparer.Ordinal);

    /// <summary>Our SPIs the gateway sends to (the current child's and, until it is deleted, the previous one's).</summary>
    public IReadOnlyCollection<uint> InboundSpis { get { lock (_gate) return _installed.Keys.ToList(); } }

    /// <summary>Makes <paramref name="child"/> the SA both directions use from now on (the first child, or a rekeyed one).</summary>
    public void Install(EstablishedChildSa child)
    {
        var inCipher = Cipher(child, child.InboundEncryptionKey, child.InboundIntegrityKey);
        var outCipher = Cipher(child, child.OutboundEncryptionKey, child.OutboundIntegrityKey);
        var path = new PeerPath(Gateway, child.UdpEncapsulated);
        InnerAddress[] target = [InnerAddress.FromIPAddress(_target)];
        lock (_gate)
        {
            _table.TryAddInbound(new InboundSa(child.InboundSpi, inCipher, new ReplayWindow(extendedSequenceNumbers: child.ExtendedSequenceNumbers), path, target));
            var outbound = new OutboundSa(child.OutboundSpi, outCipher, new SequenceCounter(child.ExtendedSequenceNumbers), path, target);
            _table.TryAddOutbound(outbound);
            if (_installed.TryGetValue(_currentInbound, out var previous) && previous.Outbound is { } oldOut)
            {
                _table.RemoveOutbound(previous.OutboundSpi); // the target routes to the new SA already
                oldOut.Dispose();
                previous.Outbound = null;
            }
            _installed[child.InboundSpi] = new InstalledChild(inCipher, outCipher, child.OutboundSpi);
            _currentInbound = child.InboundSpi;
            _currentOutbound = outbound;
        }
    }

    /// <summary>
    /// RFC 6311 replay counter sync: the gateway's resumed SA refuses sequence numbers up to its last view + delta, so
    /// the outbound counter skips <paramref name="delta"/> numbers (the only outbound SA: a rekey's old one is gone).
    /// False when that exhausts the SA.
    /// </summary>
    public bool AdvanceOutbound(ulong delta)
    {
        lock (_gate)
            return _currentOutbound?.Sequence.Advance(delta) ?? false;
    }

    /// <summary>The last outbound ESP sequence number used (0: none yet).</summary>
    public ulong OutboundSequence { get { lock (_gate) return _currentOutbound?.Sequence.LastUsed ?? 0; } }

    /// <summary>The old child is deleted: packets to its SPI are no longer ours.</summary>
    public void Retire(uint inboundSpi)
    {
        lock (_gate)
        {
            if (inboundSpi == _currentInbound || !_installed.Remove(inboundSpi, out var old))
                return;
            _table.RemoveInbound(inboundSpi);
            old.Inbound.Dispose();
        }
    }

    /// <summary>Seals the next echo request; returns the ESP packet (valid until the next call), or empty when it cannot be sent.</summary>
    public ReadOnlySpan<byte> SealNext()
    {
        lock (_gate)
        {
            IcmpEcho.SetSequence(_inner, _sequence++);
            if (EspOutbound.Process(_table, _inner, _sealed, out int length, out _) != OutboundResult.Sealed)
                return [];
            Sent++;
            BytesSent += _inner.Length;
            return _sealed.AsSpan(0, length);
        }
    }

    /// <summary>
    /// Opens an ESP packet from the gateway (SPI first). True for a verified echo reply; <paramref name="identifier"/>
    /// names the tunnel it answers, which need not be this one: tunnels of one identity share a virtual address on
    /// both gateways, and the gateway routes the address's replies into one of their SAs. Credit it with <see cref="CountReply"/>.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> esp, out ushort identifier, out int innerLength)
    {
        lock (_gate)
        {
            identifier = 0;
            innerLength = 0;
            var result = esp.Length > _opened.Length ? InboundResult.Malformed : EspInbound.Process(_table, esp, _opened, out innerLength, out _);
            if (result == InboundResult.Delivered && IcmpEcho.TryReadReply(_opened.AsSpan(0, innerLength), out identifier))
                return true;
            Dropped++;
            string reason = result == InboundResult.Delivered ? "NotAnEchoReply" : result.ToString();
            _drops[reason] = _drops.GetValueOrDefault(reason) + 1;
            return false;
        }
    }

    /// <summary>The identifier this tunnel's requests carry.</summary>
    public ushort Identifier => _identifier;

    /// <summary>An echo reply to this tunnel's requests arrived (on any tunnel's SA).</summary>
    public void CountReply(int innerLength, bool onOwnSa)
    {
        lock (_gate)
        {
            Received++;
            BytesReceived += innerLength;
            if (!onOwnSa)
                RepliesOnOtherSas++;
        }
    }

    /// <summary>Replies to this tunnel that the gateway sent in another tunnel's SA (a shared virtual address).</summary>
    public long RepliesOnOtherSas { get; private set; }

    private static EspCipherAdapter Cipher(EstablishedChildSa child, byte[] encryptionKey, byte[] integrityKey) =>
        new(EspTransformFactory.Create(child.Encryption, child.KeyBits, child.Integrity, encryptionKey, integrityKey, child.ExtendedSequenceNumbers));

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var child in _installed.Values)
            {
                child.Inbound.Dispose();
                child.Outbound?.Dispose();
            }
            _installed.Clear();
        }
    }

    /// <summary>The ciphers of one installed child; the outbound one goes as soon as a newer child replaces it.</summary>
    private sealed class InstalledChild(EspCipherAdapter inbound, EspCipherAdapter outbound, uint outboundSpi)
    {
        public EspCipherAdapter Inbound { get; } = inbound;
        public EspCipherAdapter? Outbound { get; set; } = outbound;
        public uint OutboundSpi { get; } = outboundSpi;
    }
}
