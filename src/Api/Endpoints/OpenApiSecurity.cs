using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WellWon.Api;

/// <summary>Describes the bearer scheme in the OpenAPI document and marks the operations that need it.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "WellWon chat API";
        document.Info.Description = "REST API of the WellWon chat cluster. IDs are strings (message IDs are 64-bit Snowflakes); times are ISO-8601 UTC; errors are application/problem+json (RFC 9457).";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "ww1 (HMAC-SHA256 signed, expiring)",
            Description = "The token returned by POST /api/auth/register or /api/auth/login, as 'Authorization: Bearer <token>'.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerAuthenticationHandler.SchemeName, context.Document)] = [],
            });
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing, invalid or expired token." });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Rate limited; see Retry-After." });
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Makes the schemas say what the JSON is: Snowflake IDs are decimal strings (the converters write strings), times
/// are date-time strings, and fields omitted when null are not required.
/// </summary>
internal sealed class WireFormatSchemaTransformer : IOpenApiSchemaTransformer
{
    public const string SnowflakePattern = "^(0|[1-9][0-9]{0,18})$";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var property = context.JsonPropertyInfo;
        if (property?.CustomConverter is SnowflakeIdConverter or NullableSnowflakeIdConverter)
        {
            schema.Type = property.CustomConverter is NullableSnowflakeIdConverter ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = "snowflake";
            schema.Pattern = SnowflakePattern;
            schema.Description ??= "A 64-bit Snowflake ID as a decimal string.";
        }
        else if (context.JsonTypeInfo.Type == typeof(DateTimeOffset) || context.JsonTypeInfo.Type == typeof(DateTimeOffset?))
        {
            schema.Type = context.JsonTypeInfo.Type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }

        if (schema.Required is { Count: > 0 } required)
        {
            foreach (var p in context.JsonTypeInfo.Properties)
            {
                if (p.ShouldSerialize is not null || p.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), false).Length > 0)
                {
                    required.Remove(p.Name);
                }
            }
        }

        return Task.CompletedTask;
    }
}
