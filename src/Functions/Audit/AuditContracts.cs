using System.Globalization;
using System.Text.Json.Serialization;
using FuncAuth.Core.Audit;
using FuncAuth.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FuncAuth.Functions.Audit;

/// <summary>One event of the trail as docs/api.md ("Audit trail") shows it.</summary>
public sealed record AuditEventResponse(
    string Id, string Type, DateTimeOffset At, string Actor, string UserId, string? SessionId, string? ClientAddress,
    string? ClientAddressClass, string? UserAgent, string Device, IReadOnlyDictionary<string, string> Details)
{
    public static AuditEventResponse From(AuditEvent e) =>
        new(e.Id, e.Type.Name(), e.At, e.Actor, e.UserId, e.SessionId, e.ClientAddress, e.ClientAddressClass, e.UserAgent,
            FuncAuth.Core.Sessions.DeviceLabel.Of(e.UserAgent), e.Details);
}

public sealed record AuditPageResponse(IReadOnlyList<AuditEventResponse> Events, string? NextCursor);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AuditPageResponse))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
