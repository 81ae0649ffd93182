namespace WellWon.Api;

/// <summary>Maps the grains' typed failures to HTTP statuses (filled in when the grain interfaces land).</summary>
internal static class DomainErrorMapper
{
    public static (int Status, string Title, string? Detail)? Map(Exception exception) => null;
}
