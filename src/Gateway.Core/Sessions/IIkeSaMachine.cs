using Gateway.Core.IkeSa;

namespace Gateway.Core.Sessions;

/// <summary>
/// The pure IKE SA state machine as the actors see it: one per IKE SA, fed one input at a time (never concurrently),
/// never doing I/O. The real one is the responder machine; tests plug in scripted ones.
/// </summary>
public interface IIkeSaMachine
{
    IkeSaStep Handle(IkeSaInput input);

    /// <summary>The state to persist when established (issue 5); null when there is nothing to persist (or no support).</summary>
    IkeSaSnapshot? TryExportSnapshot() => null;
}
