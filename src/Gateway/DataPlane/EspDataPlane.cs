using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Gateway.Core.DataPlane;
using Gateway.Crypto.Esp;
using Gateway.Esp;
using Gateway.Metrics;

namespace Gateway.DataPlane;

/// <summary>
/// The node's ESP data plane: <see cref="IDataPlane"/> for the child SA actors, over Gateway.Esp's
/// <see cref="SecurityAssociationTable"/> and Gateway.Crypto's ESP transforms, plus the two packet pumps.
/// <list type="bullet">
/// <item>In: <see cref="ReceiveEsp"/> (UDP 4500 or raw receive threads) → SPI lookup → worker: replay check →
/// decrypt/verify → replay accept → inner source must be the SA's virtual address → TUN.</item>
/// <item>Out: <see cref="ReceiveInner"/> (TUN reader) → inner destination → outbound SA → worker: sequence number →
/// seal → UDP 4500 or raw ESP to the peer's current address.</item>
/// </list>
/// No actor mailbox and no per-packet allocation: buffers are rented from the shared pool and returned by the worker.
/// </summary>
public sealed class EspDataPlane : IDataPlane, Network.IEspReceiver, IDisposable
{
    private readonly SecurityAssociationTable _table = new();
    private readonly ConcurrentDictionary<uint, InstalledPair> _pairs = new();  // by our inbound SPI
    private readonly ConcurrentDictionary<uint, IPEndPoint> _locals = new();    // by outbound SPI: our source address
    private readonly EspWorkers _workers;
    private readonly IInnerPacketSink _tun;
    private readonly IEspSender _sender;
    private readonly GatewayMetrics _metrics;
    private readonly int _replayWindow;

    public EspDataPlane(IInnerPacketSink tun, IEspSender sender, GatewayMetrics metrics, int workers, int queueDepth, int replayWindow)
    {
        _tun = tun;
        _sender = sender;
        _metrics = metrics;
        _replayWindow = replayWindow;
        _workers = new EspWorkers(workers, queueDepth, Process);
        _workers.Start();
    }

    public SecurityAssociationTable Table => _table;

    /// <summary>
    /// Where ESP for an SPI this node has no SA for goes when several nodes share the address (the forwarder); null:
    /// dropped and counted as unknown SPI.
    /// </summary>
    public IUnownedEsp? Unowned { get; set; }

    // ---- control plane (IDataPlane) ----

    public void Install(ChildSaInstallation sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        EspCipherAdapter? inbound = null, outbound = null;
        try
        {
            inbound = new EspCipherAdapter(EspTransformFactory.Create(sa.Encryption, sa.EncryptionKeyBits, sa.Integrity,
                sa.InboundEncryptionKey, sa.InboundIntegrityKey, sa.ExtendedSequenceNumbers));
            outbound = new EspCipherAdapter(EspTransformFactory.Create(sa.Encryption, sa.EncryptionKeyBits, sa.Integrity,
                sa.OutboundEncryptionKey, sa.OutboundIntegrityKey, sa.ExtendedSequenceNumbers));
            var inner = sa.RemoteInnerAddresses.Select(InnerAddress.FromIPAddress).ToArray();
            var path = Path(sa.Remote, sa.UdpEncapsulated);
            var inSa = new InboundSa(sa.InboundSpi, inbound, new ReplayWindow(_replayWindow, sa.ExtendedSequenceNumbers, sa.InboundSequenceStart), path, inner);
            var outSa = new OutboundSa(sa.OutboundSpi, outbound, new SequenceCounter(sa.ExtendedSequenceNumbers, sa.OutboundSequenceStart), path, inner);

            if (!_pairs.TryAdd(sa.InboundSpi, new InstalledPair(inSa, outSa)))
                throw new InvalidOperationException($"inbound SPI {sa.InboundSpi:x8} is already installed");
            _locals[sa.OutboundSpi] = sa.Local;
            if (!_table.TryAddInbound(inSa) || !_table.TryAddOutbound(outSa))
            {
                _table.RemoveInbound(sa.InboundSpi);
                _pairs.TryRemove(sa.InboundSpi, out _);
                throw new InvalidOperationException($"SPI {sa.InboundSpi:x8}/{sa.OutboundSpi:x8} is already installed");
            }
            _metrics.ChildSaInstalled(+1);
        }
        catch
        {
            inbound?.Dispose();
            outbound?.Dispose();
            throw;
        }
    }

    public void UpdatePeer(uint inboundSpi, IPEndPoint local, IPEndPoint remote, bool udpEncapsulated)
    {
        if (!_pairs.TryGetValue(inboundSpi, out InstalledPair? pair))
            return;
        PeerPath path = Path(remote, udpEncapsulated);
        _locals[pair.Outbound.Spi] = local;
        pair.Inbound.UpdatePath(path);
        _table.UpdatePeer(pair.Outbound.Spi, path);
    }

    public void RaiseInboundFloor(uint inboundSpi, ulong floor)
    {
        if (_pairs.TryGetValue(inboundSpi, out InstalledPair? pair))
            pair.Inbound.ReplayWindow.RaiseFloor(floor);
    }

    public void Remove(uint inboundSpi)
    {
        if (!_pairs.TryRemove(inboundSpi, out InstalledPair? pair))
            return;
        _table.RemoveInbound(inboundSpi);
        _table.RemoveOutbound(pair.Outbound.Spi);
        _locals.TryRemove(pair.Outbound.Spi, out _);
        _workers.Retire(pair.Inbound.Spi, (IDisposable)pair.Inbound.Cipher);
        _workers.Retire(pair.Outbound.Spi, (IDisposable)pair.Outbound.Cipher);
        _metrics.ChildSaInstalled(-1);
    }

    public ChildSaCounters? ReadCounters(uint inboundSpi)
    {
        if (!_pairs.TryGetValue(inboundSpi, out InstalledPair? pair))
            return null;
        SaCounterSnapshot i = pair.Inbound.Counters.Snapshot();
        SaCounterSnapshot o = pair.Outbound.Counters.Snapshot();
        return new ChildSaCounters(i.Packets, i.Bytes, o.Packets, o.Bytes, i.ReplayDrops, i.IcvFailures, pair.LastInbound(i.Packets))
        {
            OutboundSequence = pair.Outbound.Sequence.LastUsed,
            InboundSequence = pair.Inbound.ReplayWindow.Highest,
        };
    }

    // ---- packet pumps ----

    /// <summary>
    /// An ESP packet (SPI first) from a receive thread. Copies it into a rented buffer for the SA's worker; the span
    /// may be reused as soon as this returns.
    /// </summary>
    public void ReceiveEsp(ReadOnlySpan<byte> esp, Network.EspArrival arrival = Network.EspArrival.Udp)
    {
        if (esp.Length < UdpEncapsulation.EspHeaderLength)
        {
            _metrics.Drop(PacketDrop.Malformed);
            return;
        }
        uint spi = UdpEncapsulation.ReadSpi(esp);
        if (!_table.TryGetInbound(spi, out InboundSa? sa))
        {
            if (Unowned?.Handle(spi, esp, arrival) != true)
                _metrics.Drop(PacketDrop.UnknownSpi);
            return;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(esp.Length);
        esp.CopyTo(buffer);
        if (!_workers.TryEnqueue(spi, new EspWork(buffer, esp.Length, sa, null)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _metrics.Drop(PacketDrop.QueueFull);
        }
    }

    /// <summary>
    /// An inner packet read from the TUN device, in a buffer rented from <see cref="ArrayPool{T}.Shared"/> whose
    /// ownership passes here (returned to the pool in every case).
    /// </summary>
    public void ReceiveInner(byte[] rented, int length)
    {
        if (!InnerPacket.TryGetDestination(rented.AsSpan(0, length), out InnerAddress destination))
        {
            ArrayPool<byte>.Shared.Return(rented);
            _metrics.Drop(PacketDrop.Malformed);
            return;
        }
        if (!_table.TryGetOutbound(destination, out OutboundSa? sa))
        {
            ArrayPool<byte>.Shared.Return(rented);
            _metrics.Drop(PacketDrop.NoRoute);
            return;
        }
        if (!_workers.TryEnqueue(sa.Spi, new EspWork(rented, length, sa, null)))
        {
            ArrayPool<byte>.Shared.Return(rented);
            _metrics.Drop(PacketDrop.QueueFull);
        }
    }

    /// <summary>Copies an inner packet into a rented buffer and pumps it out (tests, and callers without a rented buffer).</summary>
    public void ReceiveInner(ReadOnlySpan<byte> packet)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(packet.Length, 1));
        packet.CopyTo(buffer);
        ReceiveInner(buffer, packet.Length);
    }

    // Worker thread: the SA is pinned here, so its replay window and cipher need no lock.
    private void Process(EspWork work, byte[] scratch)
    {
        if (work.Sa is InboundSa)
            Open(work.Buffer.AsSpan(0, work.Length), scratch);
        else if (work.Sa is OutboundSa outbound)
            Seal(outbound, work.Buffer.AsSpan(0, work.Length), scratch);
    }

    // Gateway.Esp's inbound steps (replay check, verify, accept after verify, source check); the SPI maps to the same
    // SA object (so the same worker) as at dispatch, or to none if it was removed meanwhile.
    private void Open(ReadOnlySpan<byte> esp, Span<byte> scratch)
    {
        InboundResult result = EspInbound.Process(_table, esp, scratch, out int length, out _);
        switch (result)
        {
            case InboundResult.Delivered:
                if (_tun.TryWrite(scratch[..length]))
                    _metrics.PacketsIn.Inc();
                else
                    _metrics.Drop(PacketDrop.SendFailed);
                return;
            case InboundResult.Dummy:
                return; // RFC 4303 §2.6: traffic flow confidentiality; silently discarded
            default:
                _metrics.Drop(result switch
                {
                    InboundResult.UnknownSpi => PacketDrop.UnknownSpi,
                    InboundResult.Replay => PacketDrop.Replay,
                    InboundResult.IcvFailure => PacketDrop.IcvFailure,
                    InboundResult.PolicyViolation => PacketDrop.Policy,
                    _ => PacketDrop.Malformed,
                });
                return;
        }
    }

    // Outbound seals with the SA chosen at dispatch (not a fresh lookup): after a rekey the route may already point at
    // the new SA, which belongs to another worker, and a cipher must never run on two threads.
    private void Seal(OutboundSa sa, ReadOnlySpan<byte> inner, Span<byte> scratch)
    {
        if (!sa.Sequence.TryNext(out ulong seq))
        {
            _metrics.Drop(PacketDrop.SequenceExhausted);
            return;
        }
        byte nextHeader = (inner[0] >> 4) == 6 ? InnerPacket.NextHeaderIPv6 : InnerPacket.NextHeaderIPv4;
        int length = sa.Cipher.Seal(sa.Spi, seq, inner, nextHeader, scratch);
        IPEndPoint local = _locals.TryGetValue(sa.Spi, out IPEndPoint? l) ? l : AnyLocal;
        if (!_sender.Send(scratch[..length], local, sa.Path))
        {
            _metrics.Drop(PacketDrop.SendFailed);
            return;
        }
        sa.Counters.AddPacket(inner.Length);
        _metrics.PacketsOut.Inc();
    }

    // Raw ESP has no ports: normalise once here so the send path never builds an endpoint per packet.
    private static PeerPath Path(IPEndPoint remote, bool udpEncapsulated) =>
        new(udpEncapsulated || remote.Port == 0 ? remote : new IPEndPoint(remote.Address, 0), udpEncapsulated);

    private static readonly IPEndPoint AnyLocal = new(IPAddress.Any, 0);

    public void Dispose()
    {
        _workers.Dispose();
        foreach (uint spi in _pairs.Keys.ToArray())
            Remove(spi);
    }

    /// <summary>Both directions of one child SA, and when its inbound side last saw a packet (for liveness).</summary>
    private sealed class InstalledPair(InboundSa inbound, OutboundSa outbound)
    {
        private long _lastPackets;
        private DateTime _lastInboundUtc = DateTime.UtcNow;

        public InboundSa Inbound { get; } = inbound;
        public OutboundSa Outbound { get; } = outbound;

        // Derived when counters are read (the control plane polls), so the packet path stores no timestamp.
        public DateTime LastInbound(long packets)
        {
            lock (this)
            {
                if (packets != _lastPackets)
                {
                    _lastPackets = packets;
                    _lastInboundUtc = DateTime.UtcNow;
                }
                return _lastInboundUtc;
            }
        }
    }
}
