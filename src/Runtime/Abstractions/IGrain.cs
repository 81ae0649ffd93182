namespace WellWon.Runtime;

/// <summary>Anything a reference can point at: a grain or an observer.</summary>
public interface IAddressable;

/// <summary>Marker for grain interfaces. Use one of the keyed variants.</summary>
public interface IGrain : IAddressable;

/// <summary>A grain identified by a <see cref="Guid"/>.</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>A grain identified by a string.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain identified by a 64-bit integer.</summary>
public interface IGrainWithIntegerKey : IGrain;

/// <summary>
/// An object outside the grain world (for example a gateway session) that grains call back through a
/// reference made by <see cref="IGrainFactory.CreateObjectReference{TGrainObserver}"/>.
/// </summary>
public interface IGrainObserver : IAddressable;

/// <summary>Creates references to grains and to observers. References are cheap and valid forever.</summary>
public interface IGrainFactory
{
    /// <summary>Returns a reference to the grain with the given key; the grain activates on the first call.</summary>
    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey) where TGrainInterface : IGrainWithGuidKey;

    /// <summary>Returns a reference to the grain with the given key; the grain activates on the first call.</summary>
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : IGrainWithStringKey;

    /// <summary>Returns a reference to the grain with the given key; the grain activates on the first call.</summary>
    TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : IGrainWithIntegerKey;

    /// <summary>Returns a reference to an existing grain identity, typed as <typeparamref name="TGrainInterface"/>.</summary>
    TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable;

    /// <summary>
    /// Makes a reference through which grains (on any silo) can call <paramref name="observer"/> in this process.
    /// The object stays reachable until <see cref="DeleteObjectReference{TGrainObserver}"/>.
    /// </summary>
    TGrainObserver CreateObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver;

    /// <summary>Stops routing calls to an object registered with <see cref="CreateObjectReference{TGrainObserver}"/>.</summary>
    void DeleteObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver;
}
