namespace WellWon.Runtime.Tests;

public class GrainIdTests
{
    [Fact]
    public void Uniform_hash_matches_the_published_murmur3_vector()
    {
        Assert.Equal(0x248bfa47u, StableHash.Murmur3("hello"u8, 0));
        Assert.Equal(0u, StableHash.Murmur3([], 0));
    }

    [Fact]
    public void Guid_keys_are_canonical_whatever_their_source_format()
    {
        var a = GrainId.Create("t", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        var b = new GrainId("t", "0f8fad5bd9cb469fa16570867728950e");
        Assert.Equal(a, b);
        Assert.Equal(a.UniformHash, b.UniformHash);
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), b.GetGuidKey());
    }

    [Fact]
    public void Type_and_key_both_distinguish_ids()
    {
        Assert.NotEqual(GrainId.Create("a", 1), GrainId.Create("b", 1));
        Assert.NotEqual(GrainId.Create("a", 1), GrainId.Create("a", 2));
        Assert.Equal(-42, GrainId.Create("a", -42).GetIntegerKey());
        Assert.Throws<InvalidOperationException>(() => GrainId.Create("a", "x").GetIntegerKey());
    }
}
