namespace WellWon.Runtime.Tests;

public class GrainIdTests
{
    [Fact]
    public void Uniform_hash_is_stable_across_processes()
    {
        // Murmur3 x86_32 of "hello" with seed 0 is a published test vector.
        Assert.Equal(0x248bfa47u, StableHash.Murmur3("hello"u8, 0));
        var a = GrainId.Create("t", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
        var b = new GrainId("t", "0f8fad5bd9cb469fa16570867728950e");
        Assert.Equal(a, b);
        Assert.Equal(a.UniformHash, b.UniformHash);
    }
}
