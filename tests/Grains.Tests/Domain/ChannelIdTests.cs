using WellWon.Grains.Domain;

namespace WellWon.Grains.Tests.Domain;

public class ChannelIdTests
{
    private static readonly Guid Alice = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid Bob = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    [Fact]
    public void The_direct_channel_id_is_the_same_whichever_side_asks()
    {
        Assert.Equal(ChannelIds.Direct(Alice, Bob), ChannelIds.Direct(Bob, Alice));
    }

    [Fact]
    public void The_direct_channel_id_is_a_reproducible_version_5_uuid()
    {
        // Python: uuid.uuid5(UUID('5b0f3b2e-8c6a-4d1e-9a57-3f1c2d7e6a90'), '0f8fad5b-...:7c9e6679-...').
        Assert.Equal(Guid.Parse("6c2fbabb-896c-5dd2-a248-6c21d719e157"), ChannelIds.Direct(Alice, Bob));
    }

    [Fact]
    public void Name_based_ids_match_the_rfc_4122_algorithm()
    {
        var dns = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(Guid.Parse("886313e1-3b8a-5372-9b90-0c9aee199e5d"), ChannelIds.NameBased(dns, "python.org"));
    }

    [Fact]
    public void Different_pairs_get_different_channels()
    {
        var carol = Guid.NewGuid();
        Assert.NotEqual(ChannelIds.Direct(Alice, Bob), ChannelIds.Direct(Alice, carol));
        Assert.NotEqual(ChannelIds.Direct(Alice, Bob), ChannelIds.Direct(Bob, carol));
    }

    [Fact]
    public void A_direct_channel_needs_two_different_real_users()
    {
        Assert.Throws<ArgumentException>(() => ChannelIds.Direct(Alice, Alice));
        Assert.Throws<ArgumentException>(() => ChannelIds.Direct(Alice, Guid.Empty));
    }

    [Theory]
    [InlineData(ChannelType.Direct, "direct")]
    [InlineData(ChannelType.Group, "group")]
    [InlineData(ChannelType.Public, "public")]
    public void Channel_types_round_trip_through_their_api_names(ChannelType type, string name)
    {
        Assert.Equal(name, type.ToApiName());
        Assert.True(ChatNames.TryParseChannelType(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData(MemberRole.Owner, "owner")]
    [InlineData(MemberRole.Admin, "admin")]
    [InlineData(MemberRole.Member, "member")]
    public void Member_roles_round_trip_through_their_api_names(MemberRole role, string name)
    {
        Assert.Equal(name, role.ToApiName());
        Assert.True(ChatNames.TryParseMemberRole(name, out var parsed));
        Assert.Equal(role, parsed);
    }

    [Fact]
    public void Unknown_api_names_are_rejected()
    {
        Assert.False(ChatNames.TryParseChannelType("Group", out _));
        Assert.False(ChatNames.TryParseChannelType(null, out _));
        Assert.False(ChatNames.TryParseMemberRole("root", out _));
    }
}
