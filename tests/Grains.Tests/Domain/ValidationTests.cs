using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class ValidationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4000)]
    public void Content_of_1_to_4000_characters_is_valid(int length)
    {
        Assert.True(ChatValidation.ValidateContent(new string('x', length)).IsValid);
    }

    [Fact]
    public void Content_of_4001_characters_is_rejected_under_its_field_name()
    {
        var errors = ChatValidation.ValidateContent(new string('x', 4001)).ToDictionary();

        Assert.Single(errors["content"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t ")]
    public void Empty_or_blank_content_is_rejected(string? content)
    {
        Assert.False(ChatValidation.ValidateContent(content).IsValid);
    }

    [Fact]
    public void Content_length_is_counted_after_trimming()
    {
        var padded = "  " + new string('x', 4000) + "\n";

        Assert.True(ChatValidation.ValidateContent(padded).IsValid);
        Assert.Equal(new string('x', 4000), ChatValidation.NormalizeContent(padded));
    }

    [Fact]
    public void An_emoji_counts_as_one_character()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 4000));

        Assert.Equal(8000, emoji.Length);
        Assert.True(ChatValidation.ValidateContent(emoji).IsValid);
        Assert.False(ChatValidation.ValidateContent(emoji + "😀").IsValid);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void Channel_names_may_have_1_to_100_characters(int length, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidateChannelName(new string('n', length)).IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Blank_channel_names_are_rejected(string? name)
    {
        Assert.False(ChatValidation.ValidateChannelName(name).IsValid);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("ab", false)]
    [InlineData("a_b.c-d0", true)]
    [InlineData("Abc", false)]
    [InlineData("ab c", false)]
    [InlineData("abé", false)]
    [InlineData("ab@c", false)]
    [InlineData(null, false)]
    public void Usernames_are_3_or_more_of_lowercase_letters_digits_and_underscore_dot_dash(string? username, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidateUsername(username).IsValid);
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void Usernames_may_have_at_most_32_characters(int length, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidateUsername(new string('u', length)).IsValid);
    }

    [Fact]
    public void A_username_that_is_too_short_and_has_bad_characters_gets_both_messages()
    {
        var errors = ChatValidation.ValidateUsername("A").ToDictionary();

        Assert.Equal(2, errors["username"].Length);
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Passwords_may_have_8_to_128_characters(int length, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidatePassword(new string('p', length)).IsValid);
    }

    [Theory]
    [InlineData(null, true, 50)]
    [InlineData(1, true, 1)]
    [InlineData(100, true, 100)]
    [InlineData(0, false, 50)]
    [InlineData(101, false, 50)]
    [InlineData(-1, false, 50)]
    public void Limits_are_1_to_100_and_default_to_50(int? limit, bool valid, int effective)
    {
        var errors = ChatValidation.ValidateLimit(limit, out var actual);

        Assert.Equal(valid, errors.IsValid);
        Assert.Equal(effective, actual);
    }

    [Fact]
    public void Errors_of_several_fields_merge_into_one_map()
    {
        var errors = ChatValidation.ValidateUsername("x")
            .Merge(ChatValidation.ValidatePassword("short"))
            .ToDictionary();

        Assert.Equal(["password", "username"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("a", true)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("é", false)]
    public void Nonces_are_optional_short_printable_ascii_keys(string? nonce, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidateNonce(nonce).IsValid);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Nonces_may_have_at_most_64_characters(int length, bool valid)
    {
        Assert.Equal(valid, ChatValidation.ValidateNonce(new string('n', length)).IsValid);
    }
}
