namespace FuncAuth.FaultSuite.Tests;

/// <summary>
/// The fault suite, short: 8 clients, a few seconds per phase. It asserts what holds on any machine: only answers of the
/// contract, no refresh chain lost, no force-logout without effect, tables consistent after every phase. The timing
/// targets (deadline plus 10 % while storage hangs, recovery within 5 s) are measured by the full run
/// (bash bench/fault-suite.sh), not asserted here, where a busy machine would make them flaky.
/// </summary>
public sealed class ShortFaultSuiteTests
{
    [Fact]
    public async Task MixedTrafficThroughStoragePauseKillKeyVaultAndSmtpOutagesLosesNothing()
    {
        // A deadline shorter than the pause, so requests really hit it; long enough that sign-ups (a deliberately slow
        // password hash) fit on a busy machine.
        var settings = SuiteSettings.Quick with { RequestDeadline = TimeSpan.FromSeconds(4), StoragePause = TimeSpan.FromSeconds(5) };
        using var log = new StringWriter();

        var report = await FaultSuiteRunner.RunAsync(settings, log);

        var summary = log + report.Render();
        Assert.True(report.Unexpected.Count == 0, summary);
        Assert.True(report.Phases.All(p => p.Violations.Count == 0), summary);
        Assert.True(report.Relogins == 0, summary);
        Assert.True(report.ForceLogoutMisses == 0, summary);
        // The traffic was real: every client signed up and refreshed, and the faults were felt.
        Assert.True(report.Samples.Count(s => s.Operation == "signup" && s.Status is 201 or 409) >= settings.Clients, summary);
        Assert.True(report.Samples.Count(s => s.Operation.StartsWith("refresh", StringComparison.Ordinal) && s.Status == 200) >= settings.Clients, summary);
        Assert.Contains(report.Samples, s => s.Status == 503);
        // The app's output is measured per phase: the storage kill refused requests, and each refusal wrote its line.
        var killed = report.Phases.Single(p => p.Name == "storage-killed");
        Assert.True(killed.Log.Lines > 0 && killed.Log.Bytes > killed.Log.LongestLine, summary);
        // While SMTP was down, email was asked for and every such request was accepted (the outbox took it); every email
        // the answers promised was delivered or is still queued (the outbox rule is among the invariants above).
        Assert.NotEmpty(report.EmailRequestsWhileSmtpDown);
        Assert.All(report.EmailRequestsWhileSmtpDown, s => Assert.Equal(202, s.Status));
        Assert.True(report.EmailsExpected > settings.Clients, summary);
        Assert.True(report.EmailsDelivered >= settings.Clients, summary);
    }
}
