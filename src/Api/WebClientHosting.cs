using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace WellWon.Api;

/// <summary>The static web chat client (<c>wwwroot</c>) at <c>GET /</c>.</summary>
public static class WebClientHosting
{
    /// <summary>
    /// Strict policy for the page: scripts, styles and connections only from this origin (the gateway's WebSocket
    /// included), no inline code, no framing, no plugins.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Serves <c>wwwroot</c> with <c>index.html</c> at <c>/</c>. Every file is revalidated on each load
    /// (<c>Cache-Control: no-cache</c> plus ETag), so a deploy never leaves a browser with a stale page or a page
    /// mixed from two versions of the modules.
    /// </summary>
    public static WebApplication MapWebClient(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = WebRoot(app.Environment);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }

    // The content root's wwwroot when the host runs from its project directory (dotnet run, WebApplicationFactory);
    // otherwise the copy next to the assembly (the build copies wwwroot to the output, also into referencing
    // test projects).
    private static IFileProvider WebRoot(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            return environment.WebRootFileProvider;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(beside) ? new PhysicalFileProvider(beside) : environment.WebRootFileProvider;
    }
}
