using Gateway.Interop.Tests.Lab;

namespace Gateway.Interop.Tests.Scenarios;

/// <summary>
/// One lab topology and one running gateway, shared by all scenarios of a test class (clients run one after another).
/// Everything is torn down at the end, also when a scenario or the start-up failed; the work directory (logs) is kept
/// when anything failed.
/// </summary>
public abstract class GatewayLabFixture : IAsyncLifetime
{
    private LabTopology? _lab;
    private GatewayUnderTest? _gateway;

    public LabTopology Lab => _lab ?? throw new InvalidOperationException("lab not started");
    public GatewayUnderTest Gateway => _gateway ?? throw new InvalidOperationException("gateway not started");

    protected abstract GatewayUnderTest CreateGateway();

    /// <summary>What a fixture needs besides the one gateway (started after it; disposed before it).</summary>
    protected virtual Task StartMoreAsync(LabTopology lab) => Task.CompletedTask;

    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;

    public void MarkFailed()
    {
        if (_lab is not null)
            _lab.KeepWorkDir = true;
    }

    public async Task InitializeAsync()
    {
        _lab = await LabTopology.CreateAsync();
        _gateway = CreateGateway();
        try
        {
            await LabPaths.UpAsync(_lab); // second network, NAT router (issue 4 scenarios)
            await _gateway.StartAsync(_lab);
            await StartMoreAsync(_lab);
        }
        catch
        {
            MarkFailed();
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await DisposeMoreAsync();
        if (_gateway is not null)
        {
            if (_gateway.IsRunning)
                MarkFailed(); // the stop scenario should have stopped it
            await _gateway.DisposeAsync();
            _gateway = null;
        }
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
            _lab = null;
        }
    }
}

public sealed class StrongSwanGatewayFixture : GatewayLabFixture
{
    protected override GatewayUnderTest CreateGateway() => new StrongSwanGateway();
}

public sealed class OurGatewayFixture : GatewayLabFixture
{
    protected override GatewayUnderTest CreateGateway() => new OurGateway();
}
