using WellWon.Runtime.Cluster;

namespace WellWon.Runtime.Membership;

/// <summary>
/// What the membership agent needs from the network; the runtime implements it over the silo-to-silo transport.
/// </summary>
/// <remarks>
/// <para>
/// Responder side (the part that decides whether CPU load causes false deaths): a silo must answer a probe
/// on the connection's read loop itself, writing the reply straight back, never by queuing work to the
/// thread pool or a grain scheduler, which starve under load. A probe names the target's full
/// <see cref="SiloAddress"/>; answer only if it matches this silo including the generation (a restarted
/// process must not answer for its predecessor), and do not answer once <see cref="MembershipAgent.DeclaredDead"/>
/// has completed.
/// </para>
/// <para>
/// Prober side: complete the task returned by <see cref="ProbeAsync"/> directly from the read loop
/// (<c>TaskCompletionSource.TrySetResult</c>, no <c>RunContinuationsAsynchronously</c> needed): the agent
/// waits on it from a dedicated thread, so completion must not depend on a free thread-pool thread.
/// Fail fast (return false) when the connection is refused or reset; hang up to the timeout otherwise.
/// Return the task promptly: the call is made on the probe thread, which must not block on connects or sends.
/// </para>
/// <para>
/// Indirect probe: on receiving an indirect-probe request, the intermediary calls
/// <see cref="MembershipAgent.HandleIndirectProbeAsync"/> (or probes the target itself with the given
/// timeout) and replies with the result.
/// </para>
/// </remarks>
public interface IMembershipTransport
{
    /// <summary>Pings <paramref name="target"/>; true if it answered within <paramref name="timeout"/>.</summary>
    Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Asks <paramref name="intermediary"/> to ping <paramref name="target"/> with <paramref name="timeout"/>;
    /// true if the intermediary reports the target answered. The caller waits somewhat longer than
    /// <paramref name="timeout"/> for the reply, to cover the extra hop.
    /// </summary>
    Task<bool> ProbeIndirectAsync(SiloAddress intermediary, SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Fire-and-forget: tells <paramref name="target"/> that the table is now at <paramref name="tableVersion"/>.
    /// The receiving runtime calls <see cref="MembershipAgent.OnGossip"/>. Must not block; losing a message is fine
    /// (periodic refresh is the fallback).
    /// </summary>
    void Gossip(SiloAddress target, long tableVersion);
}
