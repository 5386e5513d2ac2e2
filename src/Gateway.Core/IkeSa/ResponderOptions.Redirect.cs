namespace Gateway.Core.IkeSa;

public sealed partial record ResponderOptions
{
    /// <summary>Timer key of the redirect deadline (the SA is deleted when it fires).</summary>
    public const string RedirectDeadlineTimerKey = "redirect-deadline";

    /// <summary>Timer key of the retransmission of our INFORMATIONAL request with N(REDIRECT).</summary>
    public const string RedirectRetransmitTimerKey = "redirect-retransmit";

    /// <summary>
    /// After an operator redirect, how long the client has to move (it deletes this SA once connected to the new
    /// gateway, RFC 5685 §5) before we delete the SA ourselves.
    /// </summary>
    public TimeSpan RedirectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First retransmission interval of the redirect request (doubling, at most 3 retransmissions).</summary>
    public TimeSpan RedirectRetransmitInterval { get; init; } = TimeSpan.FromSeconds(2);
}
