using System.Reflection;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;

namespace WellWon.Runtime.CodeGen.Tests;

/// <summary>
/// Loads a generated assembly into this process and drives it through the runtime's manifest. The sample has no
/// [GenerateSerializer] types: codec registration needs CodecRegistry, which is not implemented in this branch.
/// </summary>
public class EndToEndTests
{
    private const string Source = """
        namespace E2E.Chat
        {
            public interface IPresence : IGrainObserver
            {
                Task Joined(string user);
            }

            public interface ICounterBase : IGrainWithStringKey
            {
                [ReadOnly]
                ValueTask<int> Get();
            }

            public class CounterTests
            {
                public interface ICounter : ICounterBase
                {
                    Task<int> Add(int amount);

                    [OneWay]
                    Task Ping();

                    [AlwaysInterleave]
                    Task Watch(IPresence observer);
                }

                public sealed class CounterState
                {
                    public int Value { get; set; }
                }

                public sealed class CounterGrain(
                    [PersistentState("counter", "store")] IPersistentState<CounterState> state,
                    IGrainFactory factory,
                    string greeting) : Grain, ICounter
                {
                    public IPersistentState<CounterState> State => state;

                    public IGrainFactory Factory => factory;

                    public string Greeting => greeting;

                    public ValueTask<int> Get() => new(state.State.Value);

                    public Task<int> Add(int amount) => Task.FromResult(state.State.Value += amount);

                    public Task Ping() => Task.CompletedTask;

                    public Task Watch(IPresence observer) => observer.Joined(greeting);
                }
            }
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() =>
    {
        var run = GeneratorHarness.Run(Source, "WellWon.E2E.Generated");
        Assert.Empty(run.GeneratorDiagnostics);
        var assembly = run.LoadAssembly();
        Assert.True(TypeManifest.EnsureRegistered(assembly));
        return assembly;
    });

    private static Type CounterInterface => s_assembly.Value.GetType("E2E.Chat.CounterTests+ICounter", throwOnError: true)!;

    [Fact]
    public void Manifest_registers_interface_descriptors_with_ids_and_flags()
    {
        var descriptor = TypeManifest.GetInterface(CounterInterface);

        Assert.Equal("E2E.Chat.CounterTests.ICounter", descriptor.GrainType);
        Assert.Equal(StableId.Fnv1a32("E2E.Chat.CounterTests.ICounter"), descriptor.InterfaceId);
        Assert.Equal(4, descriptor.Methods.Count);

        var get = Assert.Single(descriptor.Methods, m => m.Name == "Get");
        Assert.Equal(StableId.Fnv1a32("E2E.Chat.ICounterBase"), get.InterfaceId);
        Assert.Equal(InvokeFlags.ReadOnly | InvokeFlags.ArgumentsImmutable | InvokeFlags.ResultImmutable, get.Flags);

        var add = Assert.Single(descriptor.Methods, m => m.Name == "Add");
        Assert.Equal(StableId.Fnv1a32("Add(int)"), add.MethodId);
        Assert.Equal(InvokeFlags.ArgumentsImmutable | InvokeFlags.ResultImmutable, add.Flags);

        Assert.Equal(InvokeFlags.OneWay | InvokeFlags.ArgumentsImmutable | InvokeFlags.ResultImmutable, Assert.Single(descriptor.Methods, m => m.Name == "Ping").Flags);
        Assert.Equal(InvokeFlags.AlwaysInterleave | InvokeFlags.ArgumentsImmutable | InvokeFlags.ResultImmutable, Assert.Single(descriptor.Methods, m => m.Name == "Watch").Flags);

        Assert.True(TypeManifest.TryGetMethod(add.InterfaceId, add.MethodId, out var byId));
        Assert.Same(add, byId);
        var request = add.CreateRequest();
        Assert.Equal(add.MethodId, request.MethodId);
        Assert.Equal("Add", request.MethodName);
    }

    [Fact]
    public void Requests_frame_arguments_with_an_end_marker_and_skip_unknown_fields()
    {
        var get = Assert.Single(TypeManifest.GetInterface(CounterInterface).Methods, m => m.Name == "Get");
        var request = get.CreateRequest();

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new WellWon.Runtime.Serialization.Writer(buffer);
        request.WriteArguments(ref writer);
        writer.Commit();
        Assert.Equal(new byte[] { 4 }, buffer.WrittenSpan.ToArray());

        // A newer caller sent an argument this release does not know: field 3, varint 1.
        var reader = new WellWon.Runtime.Serialization.Reader(new byte[] { (3 << 3) | 0, 1, 4 });
        request.CreateEmpty().ReadArguments(ref reader);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Manifest_registers_observer_interfaces()
    {
        var observer = s_assembly.Value.GetType("E2E.Chat.IPresence", throwOnError: true)!;

        var descriptor = TypeManifest.GetInterface(observer);

        Assert.Equal("E2E.Chat.IPresence", descriptor.GrainType);
        Assert.Single(descriptor.Methods);
        Assert.False(TypeManifest.TryGetGrainClass(observer, out _));
    }

    [Fact]
    public void Proxy_packs_arguments_into_a_request_and_sends_it_through_the_runtime()
    {
        var runtime = new RecordingRuntime { Result = 42 };
        var descriptor = TypeManifest.GetInterface(CounterInterface);
        var reference = descriptor.CreateReference(runtime, GrainId.Create(descriptor.GrainType, "c1"));

        Assert.Equal(CounterInterface, reference.InterfaceType);
        var add = CounterInterface.GetMethod("Add")!;
        var task = (Task<int>)add.Invoke(reference, [5])!;

        Assert.Equal(42, task.Result);
        var sent = Assert.Single(runtime.Sent);
        Assert.Equal(StableId.Fnv1a32("Add(int)"), sent.MethodId);
        Assert.Equal(5, sent.GetType().GetField("Arg0")!.GetValue(sent));
    }

    [Fact]
    public void Grain_class_activator_binds_state_context_services_and_factory()
    {
        Assert.True(TypeManifest.TryGetGrainClass(CounterInterface, out var descriptor));
        Assert.Equal("CounterGrain", descriptor.GrainClass.Name);
        Assert.Contains(CounterInterface, descriptor.GrainInterfaces);
        Assert.Contains(s_assembly.Value.GetType("E2E.Chat.ICounterBase", throwOnError: true), descriptor.GrainInterfaces);
        Assert.Equal(GrainClassFlags.None, descriptor.Flags);

        var context = new FakeContext();
        var grain = descriptor.Create(new FakeServices("hello"), context);

        Assert.Equal("hello", descriptor.GrainClass.GetProperty("Greeting")!.GetValue(grain));
        Assert.Same(context.GrainFactory, descriptor.GrainClass.GetProperty("Factory")!.GetValue(grain));
        Assert.Equal(("counter", "store"), context.RequestedState);
    }

    [Fact]
    public void A_base_interface_shared_by_two_grain_classes_does_not_make_registration_fail()
    {
        var run = GeneratorHarness.Run("""
            namespace E2E.Shared
            {
                public interface IChatBase : IGrainWithStringKey { Task<string> Name(); }
                public interface IRoom : IChatBase { Task Post(string text); }
                public interface ILobby : IChatBase { Task Enter(); }
                public sealed class RoomGrain : Grain, IRoom
                {
                    public Task<string> Name() => Task.FromResult("room");
                    public Task Post(string text) => Task.CompletedTask;
                }
                public sealed class LobbyGrain : Grain, ILobby
                {
                    public Task<string> Name() => Task.FromResult("lobby");
                    public Task Enter() => Task.CompletedTask;
                }
            }
            """, "WellWon.E2E.Shared");
        var assembly = run.LoadAssembly();

        Assert.True(TypeManifest.EnsureRegistered(assembly));

        Assert.True(TypeManifest.TryGetGrainClass(assembly.GetType("E2E.Shared.IRoom", true)!, out var room));
        Assert.Equal("RoomGrain", room.GrainClass.Name);
        Assert.True(TypeManifest.TryGetGrainClass(assembly.GetType("E2E.Shared.ILobby", true)!, out var lobby));
        Assert.Equal("LobbyGrain", lobby.GrainClass.Name);
        Assert.False(TypeManifest.TryGetGrainClass(assembly.GetType("E2E.Shared.IChatBase", true)!, out _));
    }

    private sealed class RecordingRuntime : IGrainReferenceRuntime
    {
        public List<Request> Sent { get; } = [];

        public object? Result { get; init; }

        public Task<TResult> InvokeAsync<TResult>(GrainReference target, Request<TResult> request)
        {
            Sent.Add(request);
            return Task.FromResult((TResult)Result!);
        }

        public Task InvokeAsync(GrainReference target, VoidRequest request)
        {
            Sent.Add(request);
            return Task.CompletedTask;
        }

        public GrainReference CreateReference(Type interfaceType, GrainId grainId) =>
            TypeManifest.GetInterface(interfaceType).CreateReference(this, grainId);
    }

    private sealed class FakeServices(string greeting) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(string) ? greeting : null;
    }

    private sealed class FakeContext : IGrainContext
    {
        public (string, string?)? RequestedState { get; private set; }

        public GrainId GrainId => GrainId.Create("t", "k");

        public IServiceProvider ActivationServices => new FakeServices("unused");

        public IGrainFactory GrainFactory { get; } = new FakeFactory();

        public TimeProvider TimeProvider => TimeProvider.System;

        public IPersistentState<TState> GetPersistentState<TState>(string stateName, string? storageName)
        {
            RequestedState = (stateName, storageName);
            return new FakeState<TState>();
        }

        public void Deactivate(DeactivationReason reason)
        {
        }

        public IGrainTimer RegisterTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options) =>
            throw new NotSupportedException();
    }

    private sealed class FakeState<TState> : IPersistentState<TState>
    {
        public TState State { get; set; } = default!;

        public string? Etag => null;

        public bool RecordExists => false;

        public Task ReadStateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task WriteStateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task ClearStateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class FakeFactory : IGrainFactory
    {
        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();

        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey) where TGrainInterface : IGrainWithStringKey => throw new NotSupportedException();

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey) where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();

        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();

        public TGrainObserver CreateObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver => throw new NotSupportedException();

        public void DeleteObjectReference<TGrainObserver>(IGrainObserver observer) where TGrainObserver : IGrainObserver => throw new NotSupportedException();
    }
}
