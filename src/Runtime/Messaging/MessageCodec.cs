using System.Buffers;
using WellWon.Runtime.Invocation;
using WellWon.Runtime.Metadata;
using WellWon.Runtime.Serialization;

namespace WellWon.Runtime.Messaging;

/// <summary>How a remote call ended, carried in every response payload.</summary>
internal enum ResponseStatus
{
    /// <summary>Field 1 holds the result.</summary>
    Ok = 0,

    /// <summary>Field 2 holds the exception the grain threw.</summary>
    Exception = 1,

    /// <summary>The request was not run (wrong owner, silo stopping, unknown method); field 3 says why. Safe to retry elsewhere.</summary>
    Rejected = 2,
}

/// <summary>
/// Encodes requests and responses for the wire, in the runtime's version-tolerant format. A request payload is
/// the envelope (target, method, remaining deadline, call chain, hop count) followed by the arguments object;
/// unknown envelope fields are skipped, so a newer silo can add fields without breaking an older one.
/// </summary>
internal static class MessageCodec
{
    private const uint TargetTypeField = 0;
    private const uint TargetKeyField = 1;
    private const uint InterfaceIdField = 2;
    private const uint MethodIdField = 3;
    private const uint RemainingMillisField = 4;
    private const uint CallChainField = 5;
    private const uint ForwardCountField = 6;
    private const uint ArgumentsField = 7;

    private const uint StatusField = 0;
    private const uint ResultField = 1;
    private const uint ExceptionField = 2;
    private const uint ReasonField = 3;

    public static void WriteRequest(IBufferWriter<byte> output, Request request, long remainingMillis)
    {
        var w = new Writer(output);
        w.WriteFieldHeader(TargetTypeField, WireType.LengthPrefixed);
        w.WriteString(request.TargetId.Type);
        w.WriteFieldHeader(TargetKeyField, WireType.LengthPrefixed);
        w.WriteString(request.TargetId.Key);
        w.WriteFieldHeader(InterfaceIdField, WireType.VarInt);
        w.WriteVarUInt32(request.InterfaceId);
        w.WriteFieldHeader(MethodIdField, WireType.VarInt);
        w.WriteVarUInt32(request.MethodId);
        w.WriteFieldHeader(RemainingMillisField, WireType.VarInt);
        w.WriteVarUInt64((ulong)Math.Max(0, remainingMillis));
        if (request.CallChain is { } chain)
        {
            w.WriteFieldHeader(CallChainField, WireType.StartObject);
            for (var c = chain; c is not null; c = c.Next)
            {
                w.WriteFieldHeader(0, WireType.LengthPrefixed);
                w.WriteString(c.GrainId.Type);
                w.WriteFieldHeader(1, WireType.LengthPrefixed);
                w.WriteString(c.GrainId.Key);
            }

            w.WriteEndObject();
        }

        if (request.ForwardCount > 0)
        {
            w.WriteFieldHeader(ForwardCountField, WireType.VarInt);
            w.WriteVarUInt32((uint)request.ForwardCount);
        }

        w.WriteFieldHeader(ArgumentsField, WireType.StartObject);
        request.WriteArguments(ref w);
        w.WriteEndObject();
        w.Commit();
    }

    /// <summary>
    /// Reads a request. Returns null with a reason if the method is unknown to this release (the caller then gets
    /// a rejection, not a crash). References in the arguments bind to <paramref name="runtime"/>.
    /// </summary>
    public static Request? ReadRequest(ReadOnlySpan<byte> payload, IGrainReferenceRuntime runtime, out long remainingMillis, out string? rejection)
    {
        using var scope = SerializationContext.Use(runtime);
        var r = new Reader(payload);
        string? type = null, key = null;
        uint interfaceId = 0, methodId = 0;
        var forwardCount = 0;
        remainingMillis = 0;
        rejection = null;
        var chain = new List<GrainId>();
        Request? request = null;
        while (true)
        {
            var h = r.ReadFieldHeader();
            if (h.WireType == WireType.EndObject)
            {
                break;
            }

            switch (h.FieldId)
            {
                case TargetTypeField when h.WireType == WireType.LengthPrefixed:
                    type = r.ReadString();
                    break;
                case TargetKeyField when h.WireType == WireType.LengthPrefixed:
                    key = r.ReadString();
                    break;
                case InterfaceIdField when h.WireType == WireType.VarInt:
                    interfaceId = r.ReadVarUInt32();
                    break;
                case MethodIdField when h.WireType == WireType.VarInt:
                    methodId = r.ReadVarUInt32();
                    break;
                case RemainingMillisField when h.WireType == WireType.VarInt:
                    remainingMillis = (long)Math.Min(r.ReadVarUInt64(), long.MaxValue);
                    break;
                case ForwardCountField when h.WireType == WireType.VarInt:
                    forwardCount = (int)Math.Min(r.ReadVarUInt32(), int.MaxValue);
                    break;
                case CallChainField when h.WireType == WireType.StartObject:
                    ReadChain(ref r, chain);
                    break;
                case ArgumentsField when h.WireType == WireType.StartObject:
                    if (!TypeManifest.TryGetMethod(interfaceId, methodId, out var method))
                    {
                        rejection = $"Method {interfaceId:x8}/{methodId:x8} is unknown to this silo (a newer interface?).";
                        r.SkipField(h.WireType);
                        break;
                    }

                    request = method.CreateRequest();
                    r.EnterObject();
                    request.ReadArguments(ref r);
                    r.ExitObject();
                    break;
                default:
                    r.SkipField(h.WireType);
                    break;
            }

            if (r.IsAtEnd)
            {
                break;
            }
        }

        if (request is null || type is null || key is null)
        {
            rejection ??= "The request is missing its target or arguments.";
            return null;
        }

        request.TargetId = new GrainId(type, key);
        request.ForwardCount = forwardCount;
        CallChain? built = null;
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            built = new CallChain(chain[i], built);
        }

        request.CallChain = built;
        return request;
    }

    private static void ReadChain(ref Reader r, List<GrainId> chain)
    {
        r.EnterObject();
        string? type = null;
        while (true)
        {
            var h = r.ReadFieldHeader();
            if (h.WireType == WireType.EndObject)
            {
                break;
            }

            if (h.FieldId == 0 && h.WireType == WireType.LengthPrefixed)
            {
                type = r.ReadString();
            }
            else if (h.FieldId == 1 && h.WireType == WireType.LengthPrefixed && type is not null)
            {
                chain.Add(new GrainId(type, r.ReadString()));
                type = null;
            }
            else
            {
                r.SkipField(h.WireType);
            }
        }

        r.ExitObject();
    }

    private static Writer StartResponse(IBufferWriter<byte> output, ResponseStatus status)
    {
        var w = new Writer(output);
        w.WriteFieldHeader(StatusField, WireType.VarInt);
        w.WriteVarUInt32((uint)status);
        return w;
    }

    public static void WriteResult<TResult>(IBufferWriter<byte> output, TResult result)
    {
        var w = StartResponse(output, ResponseStatus.Ok);
        Codec<TResult>.Instance.WriteField(ref w, ResultField, result);
        w.WriteEndObject();
        w.Commit();
    }

    public static void WriteException(IBufferWriter<byte> output, Exception exception)
    {
        var w = StartResponse(output, ResponseStatus.Exception);
        Codec<Exception>.Instance.WriteField(ref w, ExceptionField, exception);
        w.WriteEndObject();
        w.Commit();
    }

    public static void WriteRejection(IBufferWriter<byte> output, string reason)
    {
        var w = StartResponse(output, ResponseStatus.Rejected);
        w.WriteFieldHeader(ReasonField, WireType.LengthPrefixed);
        w.WriteString(reason);
        w.WriteEndObject();
        w.Commit();
    }

    /// <summary>
    /// Completes <paramref name="request"/>'s waiting caller from a response payload. Returns the rejection reason
    /// if the callee did not run the request (the caller may retry on another owner), else null.
    /// </summary>
    public static string? CompleteFromResponse(ReadOnlySpan<byte> payload, Request request, IGrainReferenceRuntime runtime)
    {
        using var scope = SerializationContext.Use(runtime);
        var r = new Reader(payload);
        var status = ResponseStatus.Ok;
        while (true)
        {
            var h = r.ReadFieldHeader();
            if (h.WireType == WireType.EndObject)
            {
                return null;
            }

            switch (h.FieldId)
            {
                case StatusField when h.WireType == WireType.VarInt:
                    status = (ResponseStatus)r.ReadVarUInt32();
                    break;
                case ResultField when status == ResponseStatus.Ok:
                    request.SetResultFromWire(ref r, h.WireType);
                    return null;
                case ExceptionField when status == ResponseStatus.Exception:
                    request.SetException(Codec<Exception>.Instance.ReadValue(ref r, h.WireType));
                    return null;
                case ReasonField when status == ResponseStatus.Rejected && h.WireType == WireType.LengthPrefixed:
                    return r.ReadString();
                default:
                    r.SkipField(h.WireType);
                    break;
            }

            if (r.IsAtEnd)
            {
                return null;
            }
        }
    }
}
