using WellWon.Grains.Interfaces;

namespace WellWon.Grains.Tests.Grains;

public sealed class UserGrainTests
{
    [Fact]
    public async Task A_username_is_registered_once_and_looked_up_with_its_hash()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var registry = silo.Grains.GetGrain<IUserRegistryGrain>("alice");

        var created = await registry.Register(new RegisterUserCommand("alice", "hash-1", "Alice A."));
        var again = await registry.Register(new RegisterUserCommand("alice", "hash-2", null));

        Assert.Equal(RegisterUserStatus.Created, created.Status);
        Assert.Equal("Alice A.", created.User!.DisplayName);
        Assert.Equal(RegisterUserStatus.UsernameTaken, again.Status);
        Assert.Null(again.User);
        Assert.Equal(new UserCredentials(created.User.Id, "alice", "hash-1"), await registry.Lookup());
        Assert.Null(await silo.Grains.GetGrain<IUserRegistryGrain>("nobody").Lookup());
        Assert.Equal(created.User, await silo.Grains.GetGrain<IUserGrain>(created.User.Id).GetProfile());
    }

    [Fact]
    public async Task Registration_rejects_bad_usernames_and_keys_that_do_not_match()
    {
        await using var silo = await ChatTestSilo.StartAsync();

        var bad = await Assert.ThrowsAsync<ChatValidationException>(
            () => silo.Grains.GetGrain<IUserRegistryGrain>("Bad Name").Register(new RegisterUserCommand("Bad Name", "h", null)));
        var mismatch = await Assert.ThrowsAsync<ChatValidationException>(
            () => silo.Grains.GetGrain<IUserRegistryGrain>("alice").Register(new RegisterUserCommand("bob", "h", null)));

        Assert.Contains("username", bad.Errors.Keys);
        Assert.Contains("username", mismatch.Errors.Keys);
        await Assert.ThrowsAsync<ChatNotFoundException>(() => silo.Grains.GetGrain<IUserGrain>(Guid.NewGuid()).GetProfile());
    }

    [Fact]
    public async Task The_channel_list_shows_each_channel_with_its_last_message_and_unread_count()
    {
        await using var silo = await ChatTestSilo.StartAsync();
        var owner = await silo.UserAsync("owner");
        var bob = await silo.UserAsync("bob");
        var quiet = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        var busy = await silo.ChannelAsync(owner, ChatChannelType.Group, bob);
        await silo.ChannelAsync(owner);
        await busy.Send(owner, new SendMessageCommand("one"));
        var last = (await busy.Send(owner, new SendMessageCommand("two"))).Message.Id;

        var list = await silo.Grains.GetGrain<IUserGrain>(bob).GetChannels();

        Assert.Equal(2, list.Count);
        Assert.Equal((await busy.Get(bob)).Id, list[0].Channel.Id);
        Assert.Equal(last, list[0].LastMessageId);
        Assert.Equal(2, list[0].UnreadCount);
        Assert.Equal((await quiet.Get(bob)).Id, list[1].Channel.Id);
        Assert.Null(list[1].LastMessageId);
        Assert.Equal(0, list[1].UnreadCount);
    }
}
