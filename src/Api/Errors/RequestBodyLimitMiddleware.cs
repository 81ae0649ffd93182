using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using WellWon.Api.Configuration;

namespace WellWon.Api;

/// <summary>
/// Enforces <see cref="ApiOptions.MaxRequestBodyBytes"/> on every server, including the test server (Kestrel's own
/// MaxRequestBodySize is set too): a declared Content-Length over the limit is refused before the body is read, and a
/// chunked body is cut off with 413 when it crosses the limit.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = _limit;
        }

        if (context.Request.ContentLength is { } length)
        {
            if (length > _limit)
            {
                throw new BadHttpRequestException($"The request body is larger than {_limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            }
        }
        else
        {
            // No declared length (chunked, or a server that does not say): count the bytes as they are read.
            context.Request.Body = new LimitedReadStream(context.Request.Body, _limit);
        }

        return next(context);
    }

    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException("The request body is read forward only.");

        public override long Position { get => _read; set => throw new NotSupportedException("The request body is read forward only."); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The request body is read forward only.");

        public override void SetLength(long value) => throw new NotSupportedException("The request body is read forward only.");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body is read forward only.");

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            }

            return read;
        }
    }
}
