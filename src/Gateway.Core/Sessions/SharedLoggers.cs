using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;

namespace Gateway.Core.Sessions;

/// <summary>
/// One logger per actor type and actor system for the per-tunnel actors, instead of Akka's one per actor (a logging
/// adapter and its actor-path source string, several hundred bytes of every tunnel). Their messages name the SPI or
/// session, so the log source can be the type.
/// </summary>
internal static class SharedLoggers
{
    private static readonly ConditionalWeakTable<ActorSystem, ConcurrentDictionary<Type, ILoggingAdapter>> BySystem = new();

    public static ILoggingAdapter For<TActor>(IActorContext context) where TActor : ActorBase
    {
        var system = context.System;
        return BySystem.GetValue(system, _ => new()).GetOrAdd(typeof(TActor), type => Logging.GetLogger(system, type));
    }
}
