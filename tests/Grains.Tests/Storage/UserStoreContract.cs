using WellWon.Grains.Storage;

namespace WellWon.Grains.Tests.Storage;

/// <summary>What every <see cref="IUserStore"/> must do.</summary>
public abstract class UserStoreContract<TStore>
    where TStore : IUserStore
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>A username no other case has used, so a shared database needs no cleanup.</summary>
    private static string UniqueName() => "u" + Guid.NewGuid().ToString("N")[..20];

    private static UserRecord NewUser(string? username = null) => new(
        Guid.NewGuid(),
        username ?? UniqueName(),
        "Display Name",
        "hash$params$salt$digest",
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

    [Fact]
    public async Task A_created_user_reads_back_by_id_and_by_username()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();

        Assert.Equal(CreateUserResult.Created, await store.CreateAsync(user, None));

        Assert.Equal(user, await store.GetAsync(user.Id, None));
        Assert.Equal(user, await store.GetByUsernameAsync(user.Username, None));
    }

    [Fact]
    public async Task Unknown_users_read_as_null()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Guid.NewGuid(), None));
        Assert.Null(await store.GetByUsernameAsync(UniqueName(), None));
    }

    [Fact]
    public async Task A_taken_username_is_a_conflict_and_stores_nothing()
    {
        var store = await CreateStoreAsync();
        var first = NewUser();
        await store.CreateAsync(first, None);
        var second = NewUser(first.Username);

        Assert.Equal(CreateUserResult.UsernameTaken, await store.CreateAsync(second, None));

        Assert.Null(await store.GetAsync(second.Id, None));
        Assert.Equal(first, await store.GetByUsernameAsync(first.Username, None));
    }

    [Fact]
    public async Task A_taken_id_is_a_conflict_and_stores_nothing()
    {
        var store = await CreateStoreAsync();
        var first = NewUser();
        await store.CreateAsync(first, None);
        var second = NewUser() with { Id = first.Id };

        Assert.Equal(CreateUserResult.IdTaken, await store.CreateAsync(second, None));

        Assert.Equal(first, await store.GetAsync(first.Id, None));
        Assert.Null(await store.GetByUsernameAsync(second.Username, None));
    }

    [Fact]
    public async Task Only_one_of_many_racing_registrations_of_a_username_wins()
    {
        var store = await CreateStoreAsync();
        var username = UniqueName();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.CreateAsync(NewUser(username), None))));

        Assert.Single(results, r => r == CreateUserResult.Created);
        Assert.All(results.Where(r => r != CreateUserResult.Created), r => Assert.Equal(CreateUserResult.UsernameTaken, r));
    }
}
