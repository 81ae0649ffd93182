using WellWon.Grains.Interfaces;
using WellWon.Runtime.Serialization;

namespace WellWon.Grains.Tests.Grains;

public sealed class ChatExceptionTests
{
    [Fact]
    public void Every_chat_failure_crosses_the_wire_with_its_type_and_validation_errors_survive()
    {
        var errors = new Dictionary<string, string[]> { ["content"] = ["Too long.", "Blank."], ["limit"] = ["Out of range."] };
        Exception[] sent =
        [
            new ChatValidationException(errors),
            new ChatNotFoundException("gone"),
            new ChatForbiddenException("no"),
            new ChatConflictException("clash"),
        ];

        var received = sent.Select(e => ExceptionCodec.Deserialize(ExceptionCodec.Serialize(e))).ToArray();

        Assert.Equal(sent.Select(e => e.GetType()), received.Select(e => e.GetType()));
        Assert.Equal(sent.Select(e => e.Message), received.Select(e => e.Message));
        var validation = (ChatValidationException)received[0];
        Assert.Equal(["Too long.", "Blank."], validation.Errors["content"]);
        Assert.Equal(["Out of range."], validation.Errors["limit"]);
    }
}
