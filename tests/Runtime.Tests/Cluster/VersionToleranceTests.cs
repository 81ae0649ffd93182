using WellWon.Runtime.Core;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Messaging;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Cluster;

/// <summary>What a silo of the current release writes.</summary>
[GenerateSerializer]
public sealed class ProfileV1
{
    [Id(0)]
    public string Name { get; set; } = "";

    [Id(1)]
    public int Age { get; set; }
}

/// <summary>The same payload in the next release: two fields added.</summary>
[GenerateSerializer]
public sealed class ProfileV2
{
    [Id(0)]
    public string Name { get; set; } = "";

    [Id(1)]
    public int Age { get; set; }

    [Id(2)]
    public List<string> Tags { get; set; } = ["none"];

    [Id(3)]
    public ProfileV1? Manager { get; set; }
}

public sealed class VersionToleranceTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync();

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public void A_payload_with_extra_fields_from_a_newer_silo_is_read_by_an_older_one()
    {
        var newer = new ProfileV2 { Name = "ada", Age = 36, Tags = ["x", "y"], Manager = new ProfileV1 { Name = "boss", Age = 50 } };
        var older = Serializer.Deserialize<ProfileV1>(Serializer.Serialize(newer));
        Assert.Equal("ada", older.Name);
        Assert.Equal(36, older.Age);
    }

    [Fact]
    public void A_payload_from_an_older_silo_is_read_by_a_newer_one_with_defaults_for_the_new_fields()
    {
        var newer = Serializer.Deserialize<ProfileV2>(Serializer.Serialize(new ProfileV1 { Name = "ada", Age = 36 }));
        Assert.Equal("ada", newer.Name);
        Assert.Equal(36, newer.Age);
        Assert.Equal(["none"], newer.Tags);
        Assert.Null(newer.Manager);
    }

    [Fact]
    public void A_request_with_an_unknown_envelope_field_and_an_extra_argument_is_read_by_an_older_silo()
    {
        // Hand-write what a newer release might send: the envelope with a field this release does not know,
        // and the Add(int) arguments with a second argument appended.
        var descriptor = Metadata.TypeManifest.GetInterface(typeof(ITallyGrain));
        var add = descriptor.Methods.Single(m => m.Name == "Add");
        using var buffer = new PooledBufferWriter();
        var w = new Writer(buffer);
        w.WriteFieldHeader(0, WireType.LengthPrefixed);
        w.WriteString(descriptor.GrainType);
        w.WriteFieldHeader(1, WireType.LengthPrefixed);
        w.WriteString("42");
        w.WriteFieldHeader(2, WireType.VarInt);
        w.WriteVarUInt32(add.InterfaceId);
        w.WriteFieldHeader(3, WireType.VarInt);
        w.WriteVarUInt32(add.MethodId);
        w.WriteFieldHeader(4, WireType.VarInt);
        w.WriteVarUInt64(5000);
        w.WriteFieldHeader(99, WireType.LengthPrefixed);
        w.WriteString("a field from the future");
        w.WriteFieldHeader(7, WireType.StartObject);
        Codec<int>.Instance.WriteField(ref w, 0, 17);
        Codec<string>.Instance.WriteField(ref w, 1, "a new optional argument");
        w.WriteEndObject();
        w.WriteEndObject();
        w.Commit();

        var request = MessageCodec.ReadRequest(buffer.WrittenSpan, _silo.Runtime, out var remaining, out var rejection);

        Assert.Null(rejection);
        Assert.NotNull(request);
        Assert.Equal(5000, remaining);
        Assert.Equal(GrainId.Create(descriptor.GrainType, 42), request!.TargetId);
        using var again = new PooledBufferWriter();
        var w2 = new Writer(again);
        request.WriteArguments(ref w2);
        w2.Commit();
        var r = new Reader(again.WrittenSpan);
        var h = r.ReadFieldHeader();
        Assert.Equal(0u, h.FieldId);
        Assert.Equal(17, Codec<int>.Instance.ReadValue(ref r, h.WireType));
    }

    [Fact]
    public void A_request_for_a_method_this_release_does_not_have_is_rejected_not_crashed()
    {
        using var buffer = new PooledBufferWriter();
        var w = new Writer(buffer);
        w.WriteFieldHeader(0, WireType.LengthPrefixed);
        w.WriteString("Some.Future.IGrain");
        w.WriteFieldHeader(1, WireType.LengthPrefixed);
        w.WriteString("1");
        w.WriteFieldHeader(2, WireType.VarInt);
        w.WriteVarUInt32(0xdeadbeef);
        w.WriteFieldHeader(3, WireType.VarInt);
        w.WriteVarUInt32(1);
        w.WriteFieldHeader(7, WireType.StartObject);
        w.WriteEndObject();
        w.WriteEndObject();
        w.Commit();

        Assert.Null(MessageCodec.ReadRequest(buffer.WrittenSpan, _silo.Runtime, out _, out var rejection));
        Assert.Contains("unknown", rejection, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_response_round_trips_results_exceptions_and_rejections()
    {
        using var ok = new PooledBufferWriter();
        MessageCodec.WriteResult(ok, 41);
        using var failed = new PooledBufferWriter();
        MessageCodec.WriteException(failed, new InvalidOperationException("nope"));
        using var rejected = new PooledBufferWriter();
        MessageCodec.WriteRejection(rejected, "not the owner");

        Assert.Null(MessageCodec.CompleteFromResponse(ok.WrittenSpan, new Probe<int>(), _silo.Runtime));
        Assert.Equal("not the owner", MessageCodec.CompleteFromResponse(rejected.WrittenSpan, new Probe<int>(), _silo.Runtime));
        var probe = new Probe<int>();
        MessageCodec.CompleteFromResponse(failed.WrittenSpan, probe, _silo.Runtime);
        Assert.IsType<InvalidOperationException>(probe.Error);
    }

    /// <summary>A request whose sink records what the wire delivered.</summary>
    private sealed class Probe<T> : Request<T>, IResponseSink<T>
    {
        public Probe() => Sink = this;

        public Exception? Error { get; private set; }

        public T? Result { get; private set; }

        public override uint InterfaceId => 0;

        public override uint MethodId => 0;

        public override string InterfaceName => "Probe";

        public override string MethodName => "Probe";

        public override InvokeFlags Flags => InvokeFlags.None;

        bool IResponseSink<T>.IsCompleted => Error is not null;

        public override Request CreateEmpty() => new Probe<T>();

        public override void WriteArguments(ref Writer writer) => writer.WriteEndObject();

        public override void ReadArguments(ref Reader reader) => reader.ReadFieldHeader();

        protected override ValueTask<T> InvokeCore(object target) => default;

        void IResponseSink<T>.SetResult(T result) => Result = result;

        void IResponseSink<T>.SetException(Exception exception) => Error = exception;
    }
}
