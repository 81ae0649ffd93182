namespace WellWon.Runtime.Serialization;

/// <summary>TEMPORARY stub until the serialization branch merges.</summary>
public static class Serializer
{
    /// <summary>stub</summary>
    public static byte[] Serialize<T>(T value) => throw new NotImplementedException("TODO: implement");

    /// <summary>stub</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> bytes) => throw new NotImplementedException("TODO: implement");

    /// <summary>stub</summary>
    public static T DeepCopy<T>(T value) => throw new NotImplementedException("TODO: implement");
}
