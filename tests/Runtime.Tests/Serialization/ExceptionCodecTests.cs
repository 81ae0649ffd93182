using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Tests.Serialization;

public class ExceptionCodecTests
{
    private static T Thrown<T>(Func<T> create)
        where T : Exception
    {
        try
        {
            throw create();
        }
        catch (T e)
        {
            return e;
        }
    }

    private static Exception RoundTrip(Exception e) => ExceptionCodec.Deserialize(ExceptionCodec.Serialize(e));

    [Fact]
    public void A_known_exception_type_comes_back_as_that_type_with_its_message()
    {
        var copy = RoundTrip(Thrown(() => new InvalidOperationException("boom")));
        Assert.IsType<InvalidOperationException>(copy);
        Assert.Equal("boom", copy.Message);
    }

    [Fact]
    public void The_remote_stack_trace_becomes_part_of_the_stack_trace()
    {
        var original = Thrown(() => new InvalidOperationException("boom"));
        var copy = RoundTrip(original);
        Assert.Contains(nameof(Thrown), original.StackTrace);
        Assert.Contains(original.StackTrace!, copy.StackTrace);
    }

    [Fact]
    public void Inner_exceptions_keep_their_type_message_and_param_name()
    {
        var original = new InvalidOperationException("outer", new ArgumentNullException("userId", "was null"));
        var copy = RoundTrip(original);
        Assert.IsType<InvalidOperationException>(copy);
        Assert.Equal("outer", copy.Message);
        var inner = Assert.IsType<ArgumentNullException>(copy.InnerException);
        Assert.Equal("userId", inner.ParamName);
        Assert.Equal(original.InnerException!.Message, inner.Message);
    }

    [Fact]
    public void Argument_exceptions_keep_their_param_name_and_exact_message()
    {
        foreach (var original in new ArgumentException[]
        {
            new("bad value", "name"),
            new ArgumentNullException("name"),
            new ArgumentOutOfRangeException("count", "too many"),
            new("bad with inner", "p", new FormatException("fmt")),
            new ArgumentException("no param name"),
        })
        {
            var copy = Assert.IsAssignableFrom<ArgumentException>(RoundTrip(original));
            Assert.Equal(original.GetType(), copy.GetType());
            Assert.Equal(original.ParamName, copy.ParamName);
            Assert.Equal(original.Message, copy.Message);
            Assert.Equal(original.InnerException?.GetType(), copy.InnerException?.GetType());
        }
    }

    [Fact]
    public void A_custom_exception_with_a_message_and_inner_constructor_is_recreated()
    {
        var copy = RoundTrip(new ChatRoomClosedException("room closed", new TimeoutException("late")));
        Assert.IsType<ChatRoomClosedException>(copy);
        Assert.Equal("room closed", copy.Message);
        Assert.IsType<TimeoutException>(copy.InnerException);
    }

    [Fact]
    public void An_unknown_exception_type_falls_back_to_a_remote_exception_with_the_original_details()
    {
        var bytes = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 0, "Contoso.Missing.FancyException, Contoso.Missing, Version=1.0.0.0");
            Codec<string>.Instance.WriteField(ref w, 1, "fancy failure");
            Codec<string>.Instance.WriteField(ref w, 2, "   at Contoso.Missing.Thing.Do()");
            ExceptionCodec.Instance.WriteField(ref w, 3, new TimeoutException("inner"));
            w.WriteEndObject();
        });
        var remote = Assert.IsType<RemoteException>(ExceptionCodec.Deserialize(bytes));
        Assert.Equal("Contoso.Missing.FancyException, Contoso.Missing, Version=1.0.0.0", remote.OriginalTypeName);
        Assert.Equal("fancy failure", remote.Message);
        Assert.Equal("   at Contoso.Missing.Thing.Do()", remote.RemoteStackTrace);
        Assert.Contains("Contoso.Missing.Thing.Do", remote.StackTrace);
        Assert.IsType<TimeoutException>(remote.InnerException);
    }

    [Fact]
    public void A_type_that_is_not_an_exception_or_has_no_usable_constructor_falls_back_to_a_remote_exception()
    {
        var noConstructor = RoundTrip(new NoMessageConstructorException(42));
        Assert.IsType<RemoteException>(noConstructor);
        Assert.Equal(typeof(NoMessageConstructorException).AssemblyQualifiedName, ((RemoteException)noConstructor).OriginalTypeName);
        Assert.Equal("code 42", noConstructor.Message);

        var notAnException = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 0, typeof(string).AssemblyQualifiedName!);
            Codec<string>.Instance.WriteField(ref w, 1, "m");
            w.WriteEndObject();
        });
        Assert.IsType<RemoteException>(ExceptionCodec.Deserialize(notAnException));

        var throwingConstructor = RoundTrip(new PickyException("accepted"));
        Assert.IsType<PickyException>(throwingConstructor);
        var rejected = Wire.Write((ref Writer w) =>
        {
            w.WriteFieldHeader(0, WireType.StartObject);
            Codec<string>.Instance.WriteField(ref w, 0, typeof(PickyException).AssemblyQualifiedName!);
            Codec<string>.Instance.WriteField(ref w, 1, "rejected");
            w.WriteEndObject();
        });
        Assert.IsType<RemoteException>(ExceptionCodec.Deserialize(rejected));
    }

    [Fact]
    public void A_remote_exception_sent_on_keeps_its_original_type_name()
    {
        var first = new RemoteException("Contoso.Gone, Contoso", "lost", "   at Somewhere()", null);
        var copy = Assert.IsType<RemoteException>(RoundTrip(first));
        Assert.Equal("Contoso.Gone, Contoso", copy.OriginalTypeName);
        Assert.Equal("lost", copy.Message);
    }

    [Fact]
    public void A_very_deep_inner_chain_is_cut_at_the_depth_limit()
    {
        Exception e = new InvalidOperationException("level 0");
        for (var i = 1; i < 200; i++)
        {
            e = new InvalidOperationException($"level {i}", e);
        }

        var copy = RoundTrip(e);
        var depth = 0;
        for (var x = copy; x is not null; x = x.InnerException)
        {
            depth++;
        }

        Assert.Equal(ExceptionCodec.MaxInnerDepth + 1, depth);
        Assert.Equal("level 199", copy.Message);
    }

    [Fact]
    public void Exception_typed_fields_use_the_exception_codec_and_check_the_declared_type()
    {
        Assert.Null(Wire.RoundTrip<Exception?>(null));
        Assert.IsType<TimeoutException>(Wire.RoundTrip<Exception>(new TimeoutException("t")));
        Assert.Equal("t", Wire.RoundTrip(new TimeoutException("t")).Message);
        Assert.Equal("io", Wire.RoundTrip<IOException>(new FileNotFoundException("io")).Message);
        var bytes = Serializer.Serialize<Exception>(new TimeoutException("t"));
        Assert.Throws<WireFormatException>(() => Serializer.Deserialize<ArgumentException>(bytes));
        Assert.Equal("x", Wire.RoundTrip(new List<Exception?> { new InvalidOperationException("x"), null })[0]!.Message);
    }

    [Fact]
    public void Serializing_a_null_exception_through_the_helper_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => ExceptionCodec.Serialize(null!));
    }

    public sealed class ChatRoomClosedException(string message, Exception? inner) : Exception(message, inner);

    public sealed class NoMessageConstructorException(int code) : Exception($"code {code}");

    public sealed class PickyException : Exception
    {
        public PickyException(string message)
            : base(message)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(message, "accepted");
        }
    }
}
