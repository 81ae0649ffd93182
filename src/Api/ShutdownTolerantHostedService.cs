namespace WellWon.Api;

/// <summary>
/// Wraps the silo's hosted service so a second stop after the host was disposed is a no-op. With minimal hosting the
/// entry point's <c>RunAsync</c> stops and disposes the host as soon as stopping begins, while a test host
/// (<c>WebApplicationFactory</c>) stops it again; the runtime's stop then meets disposed state
/// (<see cref="ObjectDisposedException"/>) although the first stop already completed.
/// </summary>
internal sealed class ShutdownTolerantHostedService(IHostedService inner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await inner.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and disposed by the other stop; nothing is left to stop.
        }
    }

    /// <summary>Wraps every hosted service the runtime registered.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var runtime = typeof(WellWon.Runtime.IGrainFactory).Assembly;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(IHostedService) && !descriptor.IsKeyedService &&
                descriptor.ImplementationType is { } type && type.Assembly == runtime)
            {
                services[i] = ServiceDescriptor.Singleton<IHostedService>(sp =>
                    new ShutdownTolerantHostedService((IHostedService)ActivatorUtilities.CreateInstance(sp, type)));
            }
        }
    }
}
