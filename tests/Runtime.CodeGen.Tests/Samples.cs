namespace WellWon.Runtime.CodeGen.Tests;

/// <summary>Source snippets fed to the generator.</summary>
internal static class Samples
{
    /// <summary>Every supported shape at once: it must compile without a single warning.</summary>
    public const string Representative = """
        namespace Sample.Chat
        {
            public interface IChatObserver : IGrainObserver
            {
                Task OnMessage(ChatMessage message);
            }

            public interface IRoomBase : IGrainWithStringKey
            {
                [ReadOnly]
                Task<int> GetCount();
            }

            public interface IHelper
            {
                Task Help(string topic);
            }

            [Alias("room")]
            public interface IRoomGrain : IRoomBase, IHelper
            {
                public interface IInner : IGrainWithGuidKey
                {
                    Task<bool> Check();
                }

                Task Post(ChatMessage message);

                Task<ChatMessage?> Last();

                [ReadOnly]
                ValueTask<IReadOnlyList<string>> Members();

                [AlwaysInterleave]
                ValueTask Subscribe(IChatObserver observer);

                [OneWay]
                Task Ping([Immutable] Payload payload);

                Task<(int Count, string Name)> Describe(int? maybe, string? text, int @class);

                Task Overload(int a);

                Task Overload(string a);

                Task<Box<string>> Wrap(Pair<int, string> pair, Range range, Point point);

                Task Many(int first, params string[] rest);

                Task<int> Optional(int x = 5, string? label = null);

                Task<Animal> Keywords(int @event, string @object, Dog dog);

                new Task<int> GetCount();

                Task DefaultBody() => Task.CompletedTask;

                [Obsolete("use Post")]
                Task Old(OldPayload payload);
            }

        #nullable disable
            public interface ILegacy : IGrainWithIntegerKey
            {
                Task<string> Echo(string text, List<string> items);
            }
        #nullable restore

            public class RoomTests
            {
                public interface INested : IGrainWithIntegerKey
                {
                    Task<Guid> Id();
                }

                internal sealed class NestedGrain : Grain, INested
                {
                    public Task<Guid> Id() => Task.FromResult(Guid.Empty);
                }
            }

            [GenerateSerializer]
            public sealed record ChatMessage([property: Id(0)] string Author, [property: Id(1)] string Text)
            {
                [Id(2)]
                public DateTimeOffset At { get; init; }

                [Id(3)]
                public List<string> Tags { get; set; } = new();
            }

            [GenerateSerializer]
            public class Payload
            {
                [Id(0)]
                public string Text { get; set; } = "";

                [Id(1)]
                public int[] Values = Array.Empty<int>();
            }

            [GenerateSerializer]
            public sealed class DerivedPayload : Payload
            {
                [Id(2)]
                public bool Flag { get; set; }
            }

            [GenerateSerializer]
            public struct Point
            {
                [Id(0)]
                public int X;

                [Id(1)]
                public int Y { get; set; }
            }

            [GenerateSerializer]
            public readonly record struct Range([property: Id(0)] int From, [property: Id(1)] int To);

            [GenerateSerializer]
            public sealed class Box<T>
                where T : notnull
            {
                [Id(0)]
                public T Value { get; init; } = default!;

                [Id(1)]
                public List<T> Items { get; set; } = new();
            }

            [GenerateSerializer]
            public sealed record Pair<TKey, TValue>([property: Id(0)] TKey Key, [property: Id(1)] TValue Value)
                where TKey : struct;

            [GenerateSerializer]
            public sealed class Outer<T>
            {
                [GenerateSerializer]
                public sealed class Inner
                {
                    [Id(0)]
                    public T? Item { get; set; }
                }
            }

            [Obsolete("kept for old silos")]
            [GenerateSerializer]
            public sealed class OldPayload
            {
                [Id(0)]
                [Obsolete("gone")]
                public int Legacy { get; set; }
            }

            [GenerateSerializer]
            public abstract record Animal([property: Id(0)] string Name);

            [GenerateSerializer]
            public sealed record Dog(string Name, [Id(1)] int Barks) : Animal(Name)
            {
                [Id(2)]
                public required string Owner { get; init; }

                [Id(3)]
                public string Nick { get; } = "";
            }

            [GenerateSerializer]
            public sealed class WithConstructor
            {
                public WithConstructor(int id, string name)
                {
                    Id = id;
                    Name = name;
                }

                [Id(0)]
                public int Id { get; }

                [Id(1)]
                public string Name { get; }

                [Id(2)]
                public string? Note { get; set; } = "default";
            }

            [GenerateSerializer]
            public sealed class @event
            {
                [Id(0)]
                public int @class;
            }

            public sealed class RoomState
            {
                public List<ChatMessage> Messages { get; } = new();
            }

            [Reentrant]
            [CollectionAgeLimit(2.5)]
            public sealed class RoomGrain(
                [PersistentState("room", "store")] IPersistentState<RoomState> state,
                ILogger<RoomGrain> log,
                IGrainFactory factory,
                IGrainContext context,
                TimeProvider? clock = null) : Grain, IRoomGrain
            {
                public Task<int> GetCount() => Task.FromResult(state.State.Messages.Count);

                public Task Post(ChatMessage message)
                {
                    log.LogInformation("post {Text} {Key} {Now}", message.Text, context.GrainId, clock?.GetUtcNow());
                    state.State.Messages.Add(message);
                    return state.WriteStateAsync();
                }

                public Task<ChatMessage?> Last() => Task.FromResult(state.State.Messages.Count == 0 ? null : state.State.Messages[^1]);

                public ValueTask<IReadOnlyList<string>> Members() => new(Array.Empty<string>());

                public ValueTask Subscribe(IChatObserver observer) => default;

                public Task Ping(Payload payload) => Task.CompletedTask;

                public Task<(int Count, string Name)> Describe(int? maybe, string? text, int @class) => Task.FromResult((1, "x"));

                public Task Overload(int a) => Task.CompletedTask;

                public Task Overload(string a) => factory.GetGrain<IRoomGrain>(a).Post(new ChatMessage("a", "b"));

                public Task<Box<string>> Wrap(Pair<int, string> pair, Range range, Point point) => Task.FromResult(new Box<string> { Value = pair.Value });

                public Task Many(int first, params string[] rest) => Task.CompletedTask;

                public Task Help(string topic) => Task.CompletedTask;

        #pragma warning disable CS0618 // implementing the obsolete member is the point
                public Task Old(OldPayload payload) => Task.CompletedTask;
        #pragma warning restore CS0618

                public Task<int> Optional(int x = 5, string? label = null) => Task.FromResult(x);

                public Task<Animal> Keywords(int @event, string @object, Dog dog) => Task.FromResult<Animal>(dog);
            }

            [StatelessWorker(4)]
            public sealed class Worker : Grain, IWorker
            {
                public Worker()
                {
                }

                public Worker(IGrainFactory factory, ILogger<Worker>? log = null)
                {
                    _ = factory;
                    _ = log;
                }

                public Task Work() => Task.CompletedTask;
            }

            public interface IWorker : IGrainWithGuidKey
            {
                Task Work();
            }

            public abstract class AbstractGrain : Grain, IWorker
            {
                public abstract Task Work();
            }
        }

        namespace Sample.Chat_Other
        {
            public interface IRoomGrain : IGrainWithIntegerKey
            {
                Task Post(string text);
            }
        }

        namespace Sample
        {
            public interface IChat_Other : IGrainWithIntegerKey
            {
                Task Post(string text);
            }
        }
        """;
}
