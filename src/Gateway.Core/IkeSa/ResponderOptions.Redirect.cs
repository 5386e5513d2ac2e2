namespace Gateway.Core.IkeSa;

public sealed partial record ResponderOptions
{
    /// <summary>Timer key of the redirect deadline (the SA is deleted when it fires).</summary>
    public const string RedirectDeadlineTimerKey = "redirect-deadline";

    /// <summary>
    /// After an operator redirect, how long the client has to move (it deletes this SA once connected to the new
    /// gateway, RFC 5685 §5) before we delete the SA ourselves. The redirect request itself is retransmitted with
    /// <see cref="RetransmitIntervals"/>, like every request of ours.
    /// </summary>
    public TimeSpan RedirectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
