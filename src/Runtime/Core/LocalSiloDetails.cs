namespace WellWon.Runtime.Core;

/// <summary>Reads the silo's identity from the runtime and, once joined, from its membership agent.</summary>
internal sealed class LocalSiloDetails(GrainRuntime runtime) : ILocalSiloDetails
{
    public string SiloName => runtime.Options.SiloName;

    public Cluster.SiloAddress? Address => runtime.Fabric?.Silo;

    public int? WorkerId => runtime.Fabric?.Agent?.WorkerId is >= 0 and var id ? id : null;
}
