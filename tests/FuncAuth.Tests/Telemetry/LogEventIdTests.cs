using System.Reflection;
using FuncAuth.Core.Accounts;
using Microsoft.Extensions.Logging;

namespace FuncAuth.Tests.Telemetry;

/// <summary>Each log event id names one kind of event (docs/operations.md), so a query by id alone finds it.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLogEventIdIsUsedOnce()
    {
        var events = new[] { typeof(Ids).Assembly, typeof(Program).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (Id: e.Attribute!.EventId, Name: e.Method.DeclaringType!.FullName + "." + e.Method.Name))
            .ToList();

        // Both assemblies log (a guard against the scan finding nothing and passing).
        Assert.True(events.Count > 40, $"Found only {events.Count} log events.");
        Assert.All(events, e => Assert.True(e.Id > 0, $"{e.Name} has no event id."));
        var shared = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(shared.Count == 0, "Event ids used more than once:\n" + string.Join('\n', shared));
    }
}
