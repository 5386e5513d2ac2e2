using Gateway.Ike;

namespace Gateway.Core.IkeSa;

// RFC 6311 (IKEv2 message-ID and replay-counter synchronization) for IKE SAs resumed after a failover: whether the
// peer announced support in IKE_AUTH, and what a resumed SA sends. Kept apart so it can grow without touching the core.
public sealed partial class IkeSaResponder
{
    /// <summary>The peer sent IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (strongSwan does).</summary>
    public bool PeerSupportsMessageIdSync { get; private set; }

    private void ObserveMessageIdSyncSupport(OpenedMessage request)
    {
        if (request.FindNotify(NotifyType.Ikev2MessageIdSyncSupported) is not null)
            PeerSupportsMessageIdSync = true;
    }

    /// <summary>After a resume: nothing yet (the synchronization exchange itself is still to be built).</summary>
    private void OnResumedMessageIdSync(StepBuilder step)
    {
    }
}
