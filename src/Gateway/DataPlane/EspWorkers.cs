using System.Buffers;
using System.Threading.Channels;
using Gateway.Esp;

namespace Gateway.DataPlane;

/// <summary>One queued packet: a rented buffer whose ownership passed to the worker, and the SA it belongs to.</summary>
internal readonly record struct EspWork(byte[] Buffer, int Length, SecurityAssociation? Sa, IDisposable? Retire);

/// <summary>
/// The ESP worker threads. Every SA direction is pinned to one worker by its SPI, so its replay window (single writer
/// by design) and its cipher (not thread-safe) are only ever touched by that thread, without locks; different SAs run
/// on different cores. Receive threads and the TUN reader only classify, look up and enqueue. Queues are bounded:
/// under overload new packets are dropped and counted rather than memory growing.
/// </summary>
internal sealed class EspWorkers : IDisposable
{
    private readonly Channel<EspWork>[] _queues;
    private readonly Thread[] _threads;
    private readonly Action<EspWork, byte[]> _process;

    /// <param name="process">Runs on a worker thread with the item and that worker's scratch buffer.</param>
    public EspWorkers(int count, int queueDepth, Action<EspWork, byte[]> process)
    {
        _process = process;
        _queues = new Channel<EspWork>[count];
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _queues[i] = Channel.CreateBounded<EspWork>(new BoundedChannelOptions(queueDepth)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
            });
            int index = i;
            _threads[i] = new Thread(() => Run(_queues[index].Reader)) { IsBackground = true, Name = $"esp-worker-{i}" };
        }
    }

    public int Count => _queues.Length;

    public void Start()
    {
        foreach (Thread thread in _threads)
            thread.Start();
    }

    /// <summary>Queues work for the worker owning <paramref name="spi"/>; false (buffer not taken) when its queue is full.</summary>
    public bool TryEnqueue(uint spi, EspWork work) => _queues[(int)(spi % (uint)_queues.Length)].Writer.TryWrite(work);

    /// <summary>
    /// Disposes an SA's cipher on its own worker, after every packet already queued for it: a packet in flight never
    /// meets a disposed cipher. Runs inline once the workers are stopped.
    /// </summary>
    public void Retire(uint spi, IDisposable resource)
    {
        if (!_queues[(int)(spi % (uint)_queues.Length)].Writer.TryWrite(new EspWork([], 0, null, resource)))
            resource.Dispose();
    }

    private void Run(ChannelReader<EspWork> reader)
    {
        byte[] scratch = new byte[64 * 1024 + 512];
        while (true)
        {
            while (reader.TryRead(out EspWork work))
            {
                try
                {
                    if (work.Retire is not null)
                        work.Retire.Dispose();
                    else
                        _process(work, scratch);
                }
                catch (Exception e) when (e is ObjectDisposedException or ArgumentException or InvalidOperationException)
                {
                    // A packet racing its SA's removal, or a length the cipher refused: dropped (counted by process).
                }
                finally
                {
                    if (work.Buffer.Length > 0)
                        ArrayPool<byte>.Shared.Return(work.Buffer);
                }
            }
            // Only when idle: waiting allocates a task, the busy path does not.
            if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                return;
        }
    }

    public void Dispose()
    {
        foreach (Channel<EspWork> queue in _queues)
            queue.Writer.TryComplete();
        foreach (Thread thread in _threads)
        {
            if (thread.IsAlive)
                thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
