using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncAuth.Core.Email;
using FuncAuth.Core.Sessions;
using FuncAuth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FuncAuth.FaultSuite;

/// <summary>How long and how hard the suite runs. <see cref="Full"/> is the reference run; <see cref="Quick"/> runs among the tests.</summary>
public sealed record SuiteSettings
{
    public int Clients { get; init; } = 32;
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan Baseline { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan StoragePause { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan KeyVaultOutage { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Traffic after each fault ends, before the tables are checked; recovery is measured in it.</summary>
    public TimeSpan AfterFault { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>SIGKILL instead of SIGINT for the storage kill (see <see cref="AzuriteProcess.KillAsync"/>).</summary>
    public bool HardKill { get; init; }

    /// <summary>How long smtp4dev is stopped (its process killed, so connections are refused) before it starts again on the same port.</summary>
    public TimeSpan SmtpOutage { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest the suite waits, after the last phase, for the outbox to send what it holds before the final check.</summary>
    public TimeSpan OutboxDrainLimit { get; init; } = TimeSpan.FromSeconds(60);

    public static SuiteSettings Full { get; } = new();

    public static SuiteSettings Quick { get; } = new()
    {
        Clients = 8,
        Baseline = TimeSpan.FromSeconds(2),
        StoragePause = TimeSpan.FromSeconds(4),
        KeyVaultOutage = TimeSpan.FromSeconds(4),
        AfterFault = TimeSpan.FromSeconds(2),
        // smtp4dev takes several seconds to start again, and that alone is the outage.
        SmtpOutage = TimeSpan.Zero,
    };
}

/// <summary>One phase: when it ran, when its fault ended, and what the tables looked like afterwards.
/// <see cref="BacklogDelivered"/>: seconds from the fault's end until every email queued before it had been delivered (null
/// when not measured, or not within the limit).</summary>
public sealed record PhaseResult(string Name, double Start, double FaultStart, double FaultEnd, double End, IReadOnlyList<Violation> Violations, string? Skipped = null)
{
    public double? BacklogDelivered { get; init; }

    /// <summary>What the app wrote from the phase's start until the next phase began (its invariant check included).</summary>
    public LogCount Log { get; init; }
}

/// <summary>
/// Starts Azurite (own data folder), the Key Vault stand-in and the app, drives mixed traffic from virtual users, and
/// injects the faults one phase at a time. After each phase the users are held, the app's background repairs settle,
/// and the invariant checker scans every table.
/// </summary>
public static class FaultSuiteRunner
{
    /// <param name="appLog">Where to copy the app's log lines (null: they are only counted).</param>
    public static async Task<SuiteReport> RunAsync(SuiteSettings settings, TextWriter log, TextWriter? appLog = null)
    {
        var dataFolder = Path.Combine(Path.GetTempPath(), "funcauth-faults-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var startingSmtp = SmtpServer.StartAsync(Path.Combine(dataFolder, "smtp"));
            await using var azurite = await AzuriteProcess.StartAsync(Path.Combine(dataFolder, "azurite"));
            await using var smtp = await startingSmtp;
            await using var keyVault = await KeyVaultStandIn.StartAsync();
            using (var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                // An ES256 key as Key Vault holds it: PKCS#8 PEM.
                keyVault.AddSecretVersion("jwt-signing-key", signingKey.ExportPkcs8PrivateKeyPem());
            }

            var clock = Stopwatch.StartNew();
            var ledger = new EmailLedger();
            await using var app = new SuiteApp(azurite.ConnectionString, keyVault, settings.RequestDeadline, smtp.SmtpPort, ledger);
            app.LogVolume.CopyTo(appLog);
            app.StartServer();
            await WaitHealthyAsync(app.BaseAddress);
            log.WriteLine($"Azurite on 127.0.0.1:{azurite.Port} (tables) and :{azurite.QueuePort} (queues), data in its own folder; smtp4dev on :{smtp.SmtpPort} (API :{smtp.WebPort}); Key Vault stand-in on {keyVault.VaultUri}; app on {app.BaseAddress}");

            var traffic = new Traffic(app.BaseAddress, clock, ledger);
            await MakeAdminAsync(traffic, smtp);
            var queues = new QueueServiceClient(azurite.ConnectionString);
            var outbox = queues.GetQueueClient(SuiteApp.OutboxQueue);
            var checker = new InvariantChecker(new TableServiceClient(azurite.ConnectionString));
            checker.ExtraRules.Add(new EmailLostFromOutboxRule(ledger, outbox, queues.GetQueueClient(SuiteApp.OutboxQueue + "-poison"), smtp.ReceivedAsync));
            checker.ExtraRules.Add(new StateChangeWithoutEventRule());
            var recovery = app.Services.GetRequiredService<SignupRecovery>();
            var phases = new List<PhaseResult>();
            using var stop = new CancellationTokenSource();
            var users = Enumerable.Range(0, settings.Clients)
                .Select(i => new VirtualUser(i, traffic, admin: i == 0).RunAsync(TimeSpan.FromMilliseconds(i * 1500.0 / settings.Clients), stop.Token))
                .ToList();

            async Task PhaseAsync(string name, Func<Task>? startFault, TimeSpan faultLength, Func<Task>? endFault, bool measureOutbox = false)
            {
                app.LogVolume.ResetLongest();
                var logStart = app.LogVolume.Snapshot();
                var start = traffic.Now;
                if (startFault is not null)
                {
                    await startFault();
                }

                var faultStart = traffic.Now;
                await Task.Delay(faultLength);
                if (endFault is not null)
                {
                    await endFault();
                }

                var faultEnd = traffic.Now;
                var delivered = measureOutbox ? WaitDeliveredAsync(ledger.Expected, smtp, traffic, settings.OutboxDrainLimit) : Task.FromResult<double?>(null);
                await Task.Delay(startFault is null ? TimeSpan.Zero : settings.AfterFault);
                var end = traffic.Now;
                var backlogDelivered = await delivered;
                var violations = await CheckpointAsync(traffic, recovery, checker);
                phases.Add(new PhaseResult(name, start, faultStart, faultEnd, end, violations)
                {
                    BacklogDelivered = backlogDelivered is { } at ? at - faultEnd : null,
                    Log = app.LogVolume.Snapshot() - logStart,
                });
                log.WriteLine($"  {name,-22} {start,6:N1}s – {end,6:N1}s  fault {faultStart:N1}s – {faultEnd:N1}s  invariants: {(violations.Count == 0 ? "clean" : violations.Count + " violation(s)")}");
            }

            log.WriteLine($"Running {settings.Clients} clients; the app wrote {app.LogVolume.Snapshot().Lines} log line(s) while it started and was set up.");
            await PhaseAsync("baseline", null, settings.Baseline, null);
            await PhaseAsync("storage-paused", azurite.PauseAsync, settings.StoragePause, azurite.ResumeAsync);
            await PhaseAsync("storage-killed", () => azurite.KillAsync(settings.HardKill), TimeSpan.Zero, azurite.RestartAsync);
            await PhaseAsync("keyvault-failing", () => { keyVault.Unavailable = true; return Task.CompletedTask; }, settings.KeyVaultOutage, () => { keyVault.Unavailable = false; return Task.CompletedTask; });
            await PhaseAsync("smtp-stopped", smtp.StopAsync, settings.SmtpOutage, smtp.StartAsync, measureOutbox: true);

            await stop.CancelAsync();
            traffic.Resume();
            await Task.WhenAll(users);
            // What the outbox still holds goes out now; the final check then finds every email delivered (or still queued).
            var stoppedAt = traffic.Now;
            var emptyAt = await WaitEmptyAsync(outbox, traffic, settings.OutboxDrainLimit);
            log.WriteLine(emptyAt is null
                ? $"  the outbox still held messages {settings.OutboxDrainLimit.TotalSeconds:N0} s after the traffic stopped"
                : $"  outbox empty {emptyAt - stoppedAt:N1} s after the traffic stopped; {ledger.Count} emails expected, {ledger.EnqueueFailures} sign-up email(s) reported unqueued");
            app.LogVolume.ResetLongest();
            var finalLogStart = app.LogVolume.Snapshot();
            var final = await CheckpointAsync(traffic, recovery, checker);
            phases.Add(new PhaseResult("after-run", traffic.Now, traffic.Now, traffic.Now, traffic.Now, final) { Log = app.LogVolume.Snapshot() - finalLogStart });
            traffic.Http.Dispose();
            return new SuiteReport(settings, phases, traffic.Samples.ToList(), traffic.Relogins, traffic.ForceLogoutMisses) { EmailsExpected = ledger.Count, EmailsDelivered = (await smtp.ReceivedAsync()).Count };
        }
        finally
        {
            try
            {
                Directory.Delete(dataFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Holds the users, lets pending sign-ups settle (bounded), scans the tables, lets the users go on.</summary>
    private static async Task<IReadOnlyList<Violation>> CheckpointAsync(Traffic traffic, SignupRecovery recovery, InvariantChecker checker)
    {
        await traffic.QuiesceAsync();
        try
        {
            var settleBy = DateTime.UtcNow.AddSeconds(60);
            while (recovery.Pending > 0 && DateTime.UtcNow < settleBy)
            {
                await Task.Delay(100);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return (await checker.CheckAsync()).Violations;
                }
                catch (Azure.RequestFailedException) when (attempt < 5)
                {
                    await Task.Delay(1000);
                }
            }
        }
        finally
        {
            traffic.Resume();
        }
    }

    /// <summary>
    /// Polls smtp4dev (every 250 ms, at most <paramref name="limit"/>) until every email in <paramref name="backlog"/> (the
    /// ledger when SMTP came back) has arrived; returns when, in run seconds. Sign-ups' best-effort emails count too.
    /// </summary>
    private static async Task<double?> WaitDeliveredAsync(IReadOnlyCollection<(string To, string Kind, bool Promised)> backlog, SmtpServer smtp, Traffic traffic, TimeSpan limit)
    {
        var until = traffic.Now + limit.TotalSeconds;
        while (traffic.Now < until)
        {
            var arrived = (await smtp.ReceivedAsync())
                .GroupBy(m => (m.To.ToUpperInvariant(), EmailLostFromOutboxRule.Subjects.FirstOrDefault(s => s.Value == m.Subject).Key))
                .ToDictionary(g => g.Key, g => g.Count());
            if (backlog.GroupBy(e => (e.To.ToUpperInvariant(), e.Kind)).All(g => arrived.GetValueOrDefault(g.Key) >= g.Count()))
            {
                return traffic.Now;
            }

            await Task.Delay(250);
        }

        return null;
    }

    /// <summary>Polls the outbox queue (every 100 ms, at most <paramref name="limit"/>) until it holds nothing; returns when, in run seconds.</summary>
    private static async Task<double?> WaitEmptyAsync(QueueClient outbox, Traffic traffic, TimeSpan limit)
    {
        var until = traffic.Now + limit.TotalSeconds;
        while (traffic.Now < until)
        {
            try
            {
                if ((await outbox.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
                {
                    return traffic.Now;
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                return traffic.Now;
            }
            catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>
    /// The admin user becomes admin as in production: it signs up, asks for a password reset, and completes it with the
    /// token from the email (<c>Auth__AdminEmails</c> grants admin there). Its virtual user then signs in.
    /// </summary>
    private static async Task MakeAdminAsync(Traffic traffic, SmtpServer smtp)
    {
        var signup = await SetupRequestAsync(traffic.Http, "/api/auth/signup", new { email = SuiteApp.AdminEmail, password = VirtualUser.Password, passwordConfirmation = VirtualUser.Password });
        // 409: a sign-up answered 503 had been finished after all.
        if (signup is not (201 or 409))
        {
            throw new InvalidOperationException($"The admin's sign-up answered {signup}.");
        }

        // Its verification email is not in the ledger: the reset below proves the address, after which the outbox rightly
        // drops a verification still waiting to be sent.
        if (await SetupRequestAsync(traffic.Http, "/api/auth/password/forgot", new { email = SuiteApp.AdminEmail }) != 202)
        {
            throw new InvalidOperationException("The admin's password reset request was not accepted.");
        }

        traffic.Emails.Promised(SuiteApp.AdminEmail, EmailKinds.ResetPassword);
        var text = await smtp.WaitForTextAsync(SuiteApp.AdminEmail, EmailLostFromOutboxRule.Subjects[EmailKinds.ResetPassword], TimeSpan.FromSeconds(60));
        var token = Uri.UnescapeDataString(System.Text.RegularExpressions.Regex.Match(text, "/reset-password\\?token=([A-Za-z0-9_.%-]+)").Groups[1].Value);
        var reset = await SetupRequestAsync(traffic.Http, "/api/auth/password/reset", new { token, password = VirtualUser.Password, passwordConfirmation = VirtualUser.Password });
        if (reset is < 200 or >= 300)
        {
            throw new InvalidOperationException($"The admin's password reset answered {reset}.");
        }
    }

    /// <summary>A request before the traffic starts (not counted): sent again after 503 or 429 for up to a minute, as a client would.</summary>
    private static async Task<int> SetupRequestAsync(HttpClient http, string path, object body)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await http.PostAsJsonAsync(path, body);
            if (response.StatusCode is not (System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.TooManyRequests) || DateTime.UtcNow > until)
            {
                return (int)response.StatusCode;
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    private static async Task WaitHealthyAsync(Uri baseAddress)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/api/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The app did not become healthy.");
            }

            await Task.Delay(200);
        }
    }
}

/// <summary>Per-phase figures and the verdict against the targets.</summary>
public sealed class SuiteReport(SuiteSettings settings, IReadOnlyList<PhaseResult> phases, IReadOnlyList<Sample> samples, int relogins, int forceLogoutMisses)
{
    /// <summary>A fault's tail of failures must end within this long after the fault does.</summary>
    public static readonly TimeSpan RecoveryTarget = TimeSpan.FromSeconds(5);

    /// <summary>Emails the answers said were queued (the ledger), and emails smtp4dev received, at the end of the run.</summary>
    public int EmailsExpected { get; init; }

    public int EmailsDelivered { get; init; }

    public IReadOnlyList<PhaseResult> Phases => phases;

    /// <summary>Requests that only queue an email (forgot-password, resend-verification), sent while SMTP was down.</summary>
    public IReadOnlyList<Sample> EmailRequestsWhileSmtpDown =>
        Phase("smtp-stopped") is { } p
            ? samples.Where(s => s.Start >= p.FaultStart && s.Start < p.FaultEnd && s.Operation is "forgot-password" or "resend-verification").ToList()
            : [];
    public IReadOnlyList<Sample> Samples => samples;
    public int Relogins => relogins;
    public int ForceLogoutMisses => forceLogoutMisses;

    /// <summary>Answers that are none of 2xx, a 4xx with a contract code, 429 or 503 (including no answer at all).</summary>
    public IReadOnlyList<Sample> Unexpected => samples.Where(s => !IsExpected(s)).ToList();

    public IEnumerable<Sample> In(PhaseResult phase) => samples.Where(s => s.Start >= phase.Start && s.Start < phase.End);

    /// <summary>Slowest answer to a request sent while storage was paused (the deadline plus 10 % is the target).</summary>
    public double SlowestWhileStoragePaused =>
        Phase("storage-paused") is { } p ? samples.Where(s => s.Start >= p.FaultStart && s.Start < p.FaultEnd).Select(s => s.Latency).DefaultIfEmpty(0).Max() : 0;

    /// <summary>Seconds from the fault's end to the end of the last failed answer (503 or none) after it; 0 if none.</summary>
    public double RecoverySeconds(PhaseResult phase, bool withoutPasswordHash = false) =>
        samples.Where(s => s.End >= phase.FaultEnd && s.Start < phase.End && s.Status is 503 or 0 && !(withoutPasswordHash && HashesPassword(s)))
            .Select(s => s.End - phase.FaultEnd).DefaultIfEmpty(0).Max();

    /// <summary>Sign-up and login spend most of their time in the deliberately slow password hash, which no deadline can interrupt.</summary>
    public static bool HashesPassword(Sample sample) => sample.Operation is "signup" or "login" or "oauth-password";

    public IReadOnlyList<string> Failures()
    {
        var failures = new List<string>();
        if (Unexpected.Count > 0)
        {
            failures.Add($"{Unexpected.Count} answer(s) outside 2xx, contract 4xx, 429, 503: " + string.Join(", ", Unexpected.Take(5).Select(s => $"{s.Operation} {s.Status} {s.Code}")));
        }

        var limit = settings.RequestDeadline.TotalSeconds * 1.1;
        if (SlowestWhileStoragePaused > limit)
        {
            failures.Add($"while storage was paused the slowest answer took {SlowestWhileStoragePaused:N2} s (limit {limit:N2} s)");
        }

        foreach (var phase in phases.Where(IsFault))
        {
            if (RecoverySeconds(phase) > RecoveryTarget.TotalSeconds)
            {
                failures.Add($"{phase.Name}: failures went on {RecoverySeconds(phase):N1} s after the fault ended");
            }
        }

        // The outbox's promise: SMTP being down changes nothing for the user, who gets 202 at once.
        var emailWhileDown = EmailRequestsWhileSmtpDown;
        if (Phase("smtp-stopped") is not null && emailWhileDown.Count == 0)
        {
            failures.Add("no email was requested while SMTP was down");
        }

        if (emailWhileDown.FirstOrDefault(s => s.Status != 202 || s.Latency > limit) is { } late)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"while SMTP was down, {emailWhileDown.Count(s => s.Status != 202 || s.Latency > limit)} email request(s) did not answer 202 within {limit:N2} s (e.g. {late.Operation} {late.Status} in {late.Latency:N2} s)"));
        }

        foreach (var phase in phases.Where(p => p.Violations.Count > 0))
        {
            failures.Add($"{phase.Name}: {phase.Violations.Count} invariant violation(s): " + string.Join("; ", phase.Violations.Take(5)));
        }

        if (relogins > 0)
        {
            failures.Add($"{relogins} re-login(s): refresh chains were lost");
        }

        if (forceLogoutMisses > 0)
        {
            failures.Add($"{forceLogoutMisses} force-logout(s) left a working refresh token");
        }

        return failures;
    }

    public string Render()
    {
        var text = new StringBuilder();
        var deadline = settings.RequestDeadline.TotalSeconds;
        text.AppendLine(CultureInfo.InvariantCulture, $"Fault suite: {settings.Clients} clients, {samples.Count} answers over {samples.Select(s => s.End).DefaultIfEmpty(0).Max():N1} s, request deadline {deadline:N1} s");
        text.AppendLine("phase                   time (s)       answers by status                      p50 ms   p99 ms   max ms  recovered  invariants  log lines  log bytes  longest line");
        foreach (var phase in phases)
        {
            if (phase.Skipped is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{phase.Name,-22}  skipped: {phase.Skipped}");
                continue;
            }

            var inPhase = In(phase).ToList();
            var statuses = string.Join(" ", inPhase.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}:{g.Count()}"));
            var latencies = inPhase.Select(s => s.Latency * 1000).Order().ToList();
            var recovered = IsFault(phase) ? $"{RecoverySeconds(phase),5:N1} s" : "      -";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{phase.Name,-22} {phase.Start,5:N1}–{phase.End,5:N1}  {statuses,-38} {Percentile(latencies, 0.5),7:N0}  {Percentile(latencies, 0.99),7:N0}  {latencies.DefaultIfEmpty(0).Max(),7:N0}  {recovered,9}  {(phase.Violations.Count == 0 ? "clean" : phase.Violations.Count + " broken"),-10}  {phase.Log.Lines,9:N0}  {phase.Log.Bytes,9:N0}  {phase.Log.LongestLine,12:N0}");
        }

        var byCode = samples.Where(s => s.Status is >= 400 and < 500).GroupBy(s => $"{s.Status} {s.Code} ({s.Operation})").OrderBy(g => g.Key);
        text.AppendLine("4xx answers: " + (byCode.Any() ? string.Join(", ", byCode.Select(g => $"{g.Key}: {g.Count()}")) : "none"));
        text.AppendLine(CultureInfo.InvariantCulture, $"slowest answer while storage was paused: {SlowestWhileStoragePaused * 1000:N0} ms (target ≤ {deadline * 1100:N0} ms)");
        if (Phase("storage-paused") is { } paused)
        {
            var whilePaused = samples.Where(s => s.Start >= paused.FaultStart && s.Start < paused.FaultEnd).ToList();
            text.AppendLine("  by operation: " + string.Join(", ", whilePaused.GroupBy(s => s.Operation).OrderBy(g => g.Key)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} n={g.Count()} max {g.Max(s => s.Latency) * 1000:N0} ms"))));
        }

        if (Phase("smtp-stopped") is { } smtpPhase)
        {
            var emailWhileDown = EmailRequestsWhileSmtpDown;
            var byOperation = emailWhileDown.GroupBy(s => s.Operation).OrderBy(g => g.Key).Select(g =>
                $"{g.Key} " + string.Join("/", g.GroupBy(s => s.Status).OrderBy(x => x.Key).Select(x => $"{x.Key}:{x.Count()}"))
                + string.Create(CultureInfo.InvariantCulture, $" max {g.Max(s => s.Latency) * 1000:N0} ms"));
            var signups = samples.Where(s => s.Start >= smtpPhase.FaultStart && s.Start < smtpPhase.FaultEnd && s.Operation == "signup")
                .GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
            text.AppendLine($"while SMTP was down: {emailWhileDown.Count} email request(s): " + string.Join(", ", byOperation)
                + "; sign-ups (each 201 queues a verification email) " + string.Join("/", signups));
            var drained = smtpPhase.BacklogDelivered is { } d ? d.ToString("N1", CultureInfo.InvariantCulture) + " s" : $"not within {settings.OutboxDrainLimit.TotalSeconds:N0} s";
            text.AppendLine($"outbox: every email queued until SMTP returned was delivered {drained} after it returned; {EmailsExpected} email(s) queued by the answers in all, {EmailsDelivered} delivered by the end");
        }

        text.AppendLine("failures after the fault ended, leaving out sign-up and login (password hash): " + string.Join(", ",
            phases.Where(IsFault)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {RecoverySeconds(p, withoutPasswordHash: true):N1} s"))));
        text.AppendLine("answers by operation: " + string.Join(", ", samples.GroupBy(s => s.Operation).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} " + string.Join("/", g.GroupBy(s => s.Status).OrderBy(x => x.Key).Select(x => $"{x.Key}:{x.Count()}")))));
        text.AppendLine(CultureInfo.InvariantCulture, $"unexpected answers: {Unexpected.Count}; re-logins needed: {relogins}; force-logouts that left a working token: {forceLogoutMisses}");
        var failures = Failures();
        text.AppendLine(failures.Count == 0 ? "RESULT: all targets met" : "RESULT: FAILED\n  " + string.Join("\n  ", failures));
        return text.ToString();
    }

    /// <summary>Phases that inject a fault (not the baseline or the final check).</summary>
    private static bool IsFault(PhaseResult phase) => phase.Skipped is null && phase.Name is not ("baseline" or "after-run");

    private PhaseResult? Phase(string name) => phases.FirstOrDefault(p => p.Name == name);

    private static bool IsExpected(Sample s) =>
        s.Status is (>= 200 and < 300) or 429 or 503
        || (s.Status is >= 400 and < 500 && s.Code is not null && Traffic.ContractCodes.Contains(s.Code));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
