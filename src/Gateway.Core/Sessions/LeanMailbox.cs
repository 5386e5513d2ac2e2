using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Gateway.Core.Sessions;

/// <summary>
/// The mailbox of the per-tunnel actors (session, IKE SA, child SA; the journal recovery of a session). Akka's default queue starts every actor
/// with a 32-slot segment (about 1 KB) that stays allocated while the actor idles; an idle tunnel has four actors and
/// idles almost all of its life, so that was 4 KB of each idle tunnel (docs/loadtest.md). This queue is a small ring
/// under a lock, sized by use: 4 slots once used, grown when a burst needs more, and dropped whenever it empties. It
/// is unbounded and double-ended, so actors with a stash (which prepends) may use it too.
/// </summary>
public sealed class LeanMailbox : MailboxType, IProducesMessageQueue<LeanMessageQueue>
{
    /// <summary>The configuration path <see cref="Props.WithMailbox"/> names.</summary>
    public const string ConfigPath = "gateway.lean-mailbox";

    public LeanMailbox(Settings settings, Config config) : base(settings, config)
    {
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new LeanMessageQueue();

    /// <summary>Makes <see cref="ConfigPath"/> known to <paramref name="system"/> and returns it (for <see cref="SessionDependencies.Mailbox"/>).</summary>
    public static string Register(ActorSystem system)
    {
        system.Settings.InjectTopLevelFallback(ConfigurationFactory.ParseString(
            $"{ConfigPath} {{ mailbox-type = \"{typeof(LeanMailbox).AssemblyQualifiedName}\" }}"));
        return ConfigPath;
    }
}

internal static class LeanMailboxProps
{
    private static readonly ConcurrentDictionary<string, Deploy> DeployByMailbox = new();

    /// <summary>
    /// The per-tunnel actors' Props with the node's mailbox for them, if it set one. The Deploy naming the mailbox is
    /// shared (Props.WithMailbox made one per actor: about 200 bytes of every tunnel's three actors).
    /// </summary>
    public static Props WithMailboxOf(this Props props, SessionDependencies deps) => deps.Mailbox is { } mailbox
        ? new Props(DeployByMailbox.GetOrAdd(mailbox, m => Deploy.None.WithMailbox(m)), props.Type, props.Arguments)
        : props;
}

/// <summary>A lock-protected ring of envelopes with prepend (<see cref="LeanMailbox"/>).</summary>
public sealed class LeanMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics, IUnboundedDequeBasedMessageQueueSemantics
{
    private const int InitialCapacity = 4;

    // The lock is the queue itself: no one else sees it, and a lock object was 24 bytes of every per-tunnel actor.
    private Envelope[]? _ring;
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            var ring = Room();
            ring[(_head + _count) % ring.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (this)
        {
            var ring = Room();
            _head = (_head - 1 + ring.Length) % ring.Length;
            ring[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (this)
        {
            if (_count == 0 || _ring is not { } ring)
            {
                envelope = default;
                return false;
            }
            envelope = ring[_head];
            ring[_head] = default; // no reference to a handled message stays behind
            _head = (_head + 1) % ring.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0)
            {
                _head = 0;
                _ring = null; // an idle actor keeps no ring (88 bytes); the next message makes a small one again
            }
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
            deadletters.Enqueue(owner, envelope);
    }

    /// <summary>The ring with room for one more (under the lock).</summary>
    private Envelope[] Room()
    {
        if (_ring is null)
        {
            _ring = new Envelope[InitialCapacity];
            _head = 0;
        }
        else if (_count == _ring.Length)
        {
            var grown = new Envelope[_ring.Length * 2];
            for (int i = 0; i < _count; i++)
                grown[i] = _ring[(_head + i) % _ring.Length];
            _ring = grown;
            _head = 0;
        }
        return _ring;
    }
}
