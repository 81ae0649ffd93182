using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WellWon.Api.Tests;

internal static class Json
{
    public static async Task<JsonElement> BodyAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>Asserts an RFC 9457 problem with the status and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), "no detail: " + text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem naming <paramref name="field"/>.</summary>
    public static async Task AssertValidationAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), "no errors map: " + problem);
        Assert.True(errors.TryGetProperty(field, out _), $"errors has no '{field}': {errors}");
    }

    public static StringContent Raw(string text, string contentType = "application/json") =>
        new(text, System.Text.Encoding.UTF8, contentType);
}
