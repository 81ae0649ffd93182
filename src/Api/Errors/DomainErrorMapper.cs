using WellWon.Grains.Interfaces;

namespace WellWon.Api;

/// <summary>Maps the grains' typed failures (<see cref="ChatException"/>) to HTTP statuses, by type, never by text.</summary>
internal static class DomainErrorMapper
{
    public static (int Status, string Title, string? Detail)? Map(Exception exception) => exception switch
    {
        ChatValidationException => (400, ChatValidationException.Title, "See errors for the fields that are invalid."),
        ChatNotFoundException e => (404, ApiErrors.TitleFor(404), e.Message),
        ChatForbiddenException e => (403, ApiErrors.TitleFor(403), e.Message),
        ChatConflictException e => (409, ApiErrors.TitleFor(409), e.Message),
        _ => null,
    };
}
