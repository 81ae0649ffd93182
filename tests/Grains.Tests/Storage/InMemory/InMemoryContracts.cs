using WellWon.Grains.Storage.InMemory;

namespace WellWon.Grains.Tests.Storage.InMemory;

public sealed class InMemoryMessageStoreContract : MessageStoreContract<InMemoryMessageStore>
{
    protected override Task<InMemoryMessageStore> CreateStoreAsync() => Task.FromResult(new InMemoryMessageStore());
}

public sealed class InMemoryBucketIndexContract : BucketIndexContract<InMemoryBucketIndex>
{
    protected override Task<InMemoryBucketIndex> CreateStoreAsync() => Task.FromResult(new InMemoryBucketIndex());
}

public sealed class InMemoryReactionStoreContract : ReactionStoreContract<InMemoryReactionStore>
{
    protected override Task<InMemoryReactionStore> CreateStoreAsync() => Task.FromResult(new InMemoryReactionStore());
}

public sealed class InMemoryPinStoreContract : PinStoreContract<InMemoryPinStore>
{
    protected override Task<InMemoryPinStore> CreateStoreAsync() => Task.FromResult(new InMemoryPinStore());
}

public sealed class InMemoryReadPositionStoreContract : ReadPositionStoreContract<InMemoryReadPositionStore>
{
    protected override Task<InMemoryReadPositionStore> CreateStoreAsync() => Task.FromResult(new InMemoryReadPositionStore());
}

public sealed class InMemoryUserStoreContract : UserStoreContract<InMemoryUserStore>
{
    protected override Task<InMemoryUserStore> CreateStoreAsync() => Task.FromResult(new InMemoryUserStore());
}

public sealed class InMemoryChannelStoreContract : ChannelStoreContract<InMemoryChannelStore>
{
    protected override Task<InMemoryChannelStore> CreateStoreAsync() => Task.FromResult(new InMemoryChannelStore());
}

public sealed class InMemoryMembershipStoreContract : MembershipStoreContract<InMemoryMembershipStore>
{
    protected override Task<InMemoryMembershipStore> CreateStoreAsync() => Task.FromResult(new InMemoryMembershipStore());
}
