using Gateway.Core.Transport;

namespace Gateway.Core.IkeSa;

/// <summary>Collects what one input produces; turned into an immutable <see cref="IkeSaStep"/> at the end.</summary>
internal sealed class StepBuilder
{
    private readonly List<IkeDatagram> _send = [];
    private readonly List<IkeSaEvent> _events = [];
    private readonly List<TimerRequest> _timers = [];
    private bool _terminated;

    public void Send(IkeDatagram datagram) => _send.Add(datagram);

    public void Emit(IkeSaEvent e) => _events.Add(e);

    public void Timer(string key, TimeSpan? after) => _timers.Add(new TimerRequest(key, after));

    public void Terminate(string reason)
    {
        if (_terminated)
            return;
        _terminated = true;
        _events.Add(new IkeSaClosed(reason));
    }

    public bool IsTerminated => _terminated;

    public IkeSaStep Build() =>
        _send.Count == 0 && _events.Count == 0 && _timers.Count == 0 && !_terminated
            ? IkeSaStep.Nothing
            : new IkeSaStep(_send.ToArray(), _events.ToArray(), _timers.ToArray(), _terminated);
}
