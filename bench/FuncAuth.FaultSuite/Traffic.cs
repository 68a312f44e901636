using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FuncAuth.Core.Email;

namespace FuncAuth.FaultSuite;

/// <summary>One answer as a client saw it. Times are seconds since the run started; status 0 means no answer (transport error or client timeout).</summary>
public sealed record Sample(string Operation, double Start, double End, int Status, string? Code)
{
    public double Latency => End - Start;
}

/// <summary>
/// Shared state of the virtual users: the recorded answers, a gate that holds them between requests while the tables
/// are checked, and the counts that say whether sessions survived.
/// </summary>
public sealed class Traffic(Uri baseAddress, Stopwatch clock, EmailLedger emails)
{
    /// <summary>
    /// The problem codes of the contract (docs/api.md), and the OAuth error codes of <c>/oauth/token</c>; a 4xx carrying
    /// another code, or none, is not of the contract.
    /// </summary>
    public static readonly IReadOnlySet<string> ContractCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "malformed_json", "validation_failed", "email_taken", "invalid_credentials", "token_missing", "token_invalid", "token_expired",
        "token_revoked", "refresh_token_invalid", "refresh_token_expired", "refresh_token_reused", "forbidden", "not_found",
        "method_not_allowed", "payload_too_large", "unsupported_media_type", "service_unavailable", "rate_limited",
        "invalid_request", "invalid_grant", "unsupported_grant_type", "temporarily_unavailable",
    };

    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _open = CompletedSource();
    private int _inFlight;
    private int _relogins;
    private int _forceLogoutMisses;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(15),
    };

    public IReadOnlyCollection<Sample> Samples => _samples;

    /// <summary>The emails the answers said were queued, for <see cref="EmailLostFromOutboxRule"/>.</summary>
    public EmailLedger Emails => emails;

    /// <summary>A virtual user's refresh chain was lost (refresh answered 401) and it had to sign in again.</summary>
    public int Relogins => Volatile.Read(ref _relogins);

    /// <summary>A force-logged-out user's refresh token still worked afterwards.</summary>
    public int ForceLogoutMisses => Volatile.Read(ref _forceLogoutMisses);

    public double Now => clock.Elapsed.TotalSeconds;

    public void CountRelogin() => Interlocked.Increment(ref _relogins);

    public void CountForceLogoutMiss() => Interlocked.Increment(ref _forceLogoutMisses);

    /// <summary>Holds every virtual user before its next request and waits until none is in flight.</summary>
    public async Task QuiesceAsync()
    {
        lock (_gate)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        while (Volatile.Read(ref _inFlight) > 0)
        {
            await Task.Delay(20);
        }
    }

    public void Resume()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    /// <summary>
    /// Sends a request and, like a well-behaved client, waits out Retry-After and sends it again after 503 or 429, until
    /// an answer that is neither or until the run stops. Returns null when stopped.
    /// </summary>
    public async Task<Answer?> SendAsync(string operation, Func<HttpRequestMessage> request, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Task open;
            lock (_gate)
            {
                open = _open.Task;
            }

            await open;
            Interlocked.Increment(ref _inFlight);
            var start = Now;
            Answer answer;
            try
            {
                using var message = request();
                using var response = await Http.SendAsync(message, CancellationToken.None);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                answer = new Answer((int)response.StatusCode, text, response.Headers.RetryAfter?.Delta);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answer = new Answer(0, "", null);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }

            _samples.Enqueue(new Sample(operation, start, Now, answer.Status, answer.Code));
            if (answer.Status is not (503 or 429 or 0))
            {
                return answer;
            }

            try
            {
                await Task.Delay(answer.RetryAfter ?? TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    public static HttpRequestMessage Json(HttpMethod method, string path, object? body, string? accessToken = null)
    {
        var message = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            message.Content = JsonContent.Create(body);
        }

        if (accessToken is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return message;
    }

    /// <summary>A form-encoded <c>POST /oauth/token</c>, as OAuth client libraries send it.</summary>
    public static HttpRequestMessage TokenEndpoint(params (string Name, string Value)[] fields) =>
        new(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }
}

public sealed record Answer(int Status, string Body, TimeSpan? RetryAfter)
{
    /// <summary>The problem's <c>code</c>, or the OAuth <c>error</c> of <c>/oauth/token</c>.</summary>
    public string? Code => Status >= 400 && TryParse(out var json) && (json.TryGetProperty("code", out var code) || json.TryGetProperty("error", out code))
        ? code.GetString()
        : null;

    /// <summary>The refresh token was refused: 401 at <c>/api/auth/refresh</c>, 400 <c>invalid_grant</c> at <c>/oauth/token</c>.</summary>
    public bool RefreshRefused => Status == 401 || (Status == 400 && Code == "invalid_grant");

    public bool IsSuccess => Status is >= 200 and < 300;

    public (string Access, string Refresh, string UserId)? Tokens =>
        IsSuccess && TryParse(out var json) && json.TryGetProperty("refresh_token", out var refresh)
            ? (json.GetProperty("access_token").GetString()!, refresh.GetString()!, json.GetProperty("user").GetProperty("id").GetString()!)
            : null;

    private bool TryParse(out JsonElement json)
    {
        try
        {
            json = JsonDocument.Parse(Body).RootElement.Clone();
            return json.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            json = default;
            return false;
        }
    }
}

/// <summary>
/// A user with one browser: signs up, then keeps its refresh chain going (me, refresh, sometimes from two tabs at once
/// with the same token, which the reuse grace must answer), now and then signs in on a second device and logs that
/// device out. Every third refresh goes through <c>/oauth/token</c> (refresh_token grant), and every other second-device
/// sign-in uses its password grant: the same sessions behind two front doors. The admin user also signs up throwaway
/// users and force-logs them out. Now and then a user asks for email: a password reset for its address, or the
/// verification email again; every sign-up queues a verification email. The main chain must never break.
/// </summary>
public sealed class VirtualUser(int number, Traffic traffic, bool admin)
{
    public const string Password = "correct horse battery staple";

    private readonly Random _random = new(number);
    private readonly string _email = admin ? SuiteApp.AdminEmail : $"vu{number}-{Guid.NewGuid():N}@example.com";
    private (string Access, string Refresh, string UserId) _tokens;
    private int _refreshes;
    private int _secondDevices;

    public async Task RunAsync(TimeSpan startAfter, CancellationToken stop)
    {
        try
        {
            await Task.Delay(startAfter, stop);
            if (await SignUpAsync(_email, stop) is not { } tokens)
            {
                return;
            }

            _tokens = tokens;
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                await MeAsync(stop);
                await ThinkAsync(stop);
                await RefreshAsync(twoTabs: _random.NextDouble() < 0.25, stop);
                await ThinkAsync(stop);
                if (round % 25 == number % 25)
                {
                    await SecondDeviceAsync(stop);
                }

                if (admin && round % 8 == 4)
                {
                    await ForceLogoutSomeoneAsync(stop);
                }

                if (round % EmailEvery == number * 5 % EmailEvery)
                {
                    await AskForEmailAsync(stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rounds between two email requests of one user (about one every 4 s).</summary>
    private const int EmailEvery = 16;

    private int _emailRequests;

    private Task ThinkAsync(CancellationToken stop) => Task.Delay(_random.Next(60, 160), stop);

    /// <summary>
    /// Forgot-password or resend-verification, in turn: both answer 202 at once, the email only goes into the outbox.
    /// Each queued email goes into the ledger the outbox invariant checks, as does the verification email of every
    /// sign-up (the users' own and the admin's throwaway users), so sign-ups with verification run through every phase
    /// without adding password hashes to the traffic.
    /// </summary>
    private async Task AskForEmailAsync(CancellationToken stop)
    {
        // The admin's address is verified (by its password reset), so a verification email to it is rightly dropped.
        if (_emailRequests++ % 2 == 0 || admin)
        {
            var forgot = await traffic.SendAsync("forgot-password", () => Traffic.Json(HttpMethod.Post, "/api/auth/password/forgot", new { email = _email }), stop);
            if (forgot is { Status: 202 })
            {
                traffic.Emails.Promised(_email, EmailKinds.ResetPassword);
            }
        }
        else
        {
            var resend = await traffic.SendAsync("resend-verification", () => Traffic.Json(HttpMethod.Post, "/api/auth/verify-email/resend", new { email = _email }), stop);
            if (resend is { Status: 202 })
            {
                traffic.Emails.Promised(_email, EmailKinds.VerifyEmail);
            }
        }
    }

    /// <summary>Signs up; after a 503 the sign-up may have been finished after all, so email_taken then means "sign in".</summary>
    private async Task<(string, string, string)?> SignUpAsync(string email, CancellationToken stop)
    {
        var answer = await traffic.SendAsync("signup", () => Traffic.Json(HttpMethod.Post, "/api/auth/signup", new { email, password = Password, passwordConfirmation = Password }), stop);
        if (answer is { Status: 409 })
        {
            return await LoginAsync(email, stop);
        }

        if (answer is { Status: 201 })
        {
            traffic.Emails.BestEffort(email, EmailKinds.VerifyEmail);
        }

        return answer?.Tokens;
    }

    private async Task<(string, string, string)?> LoginAsync(string email, CancellationToken stop)
    {
        var answer = await traffic.SendAsync("login", () => Traffic.Json(HttpMethod.Post, "/api/auth/login", new { email, password = Password }), stop);
        return answer?.Tokens;
    }

    private async Task MeAsync(CancellationToken stop)
    {
        var answer = await traffic.SendAsync("me", () => Traffic.Json(HttpMethod.Get, "/api/auth/me", null, _tokens.Access), stop);
        if (answer is { Status: 401 })
        {
            // The access token was superseded (a refresh whose answer was lost did rotate): refresh, as an SPA does.
            await RefreshAsync(twoTabs: false, stop);
        }
    }

    private async Task RefreshAsync(bool twoTabs, CancellationToken stop)
    {
        var token = _tokens.Refresh;
        var oauth = _refreshes++ % 3 == 2;
        var tabs = await Task.WhenAll(Enumerable.Range(0, twoTabs ? 2 : 1).Select(tab => oauth
            ? traffic.SendAsync(twoTabs ? "oauth-refresh-two-tabs" : "oauth-refresh", () => Traffic.TokenEndpoint(("grant_type", "refresh_token"), ("refresh_token", token)), stop)
            : traffic.SendAsync(twoTabs ? "refresh-two-tabs" : "refresh", () => Traffic.Json(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = token }), stop)));
        if (tabs.FirstOrDefault(a => a?.Tokens is not null)?.Tokens is { } fresh)
        {
            _tokens = fresh;
            if (tabs.Any(a => a is { RefreshRefused: true }))
            {
                // One tab kept the session, the other was refused: that tab's user would have to sign in again.
                traffic.CountRelogin();
            }

            return;
        }

        if (tabs.Any(a => a is { RefreshRefused: true }))
        {
            traffic.CountRelogin();
            if (await LoginAsync(_email, stop) is { } tokens)
            {
                _tokens = tokens;
            }
        }
    }

    private async Task<(string, string, string)?> OAuthPasswordAsync(string email, CancellationToken stop)
    {
        var answer = await traffic.SendAsync("oauth-password", () => Traffic.TokenEndpoint(("grant_type", "password"), ("username", email), ("password", Password)), stop);
        return answer?.Tokens;
    }

    private async Task SecondDeviceAsync(CancellationToken stop)
    {
        var device = _secondDevices++ % 2 == 0 ? await LoginAsync(_email, stop) : await OAuthPasswordAsync(_email, stop);
        if (device is null)
        {
            return;
        }

        // A 401 here follows a 503 whose logout was applied after all: the device is logged out either way.
        await traffic.SendAsync("logout", () => Traffic.Json(HttpMethod.Post, "/api/auth/logout", null, device.Value.Item1), stop);
    }

    private async Task ForceLogoutSomeoneAsync(CancellationToken stop)
    {
        if (await SignUpAsync($"victim-{Guid.NewGuid():N}@example.com", stop) is not { } victim)
        {
            return;
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var answer = await traffic.SendAsync("force-logout", () => Traffic.Json(HttpMethod.Post, $"/api/users/{victim.Item3}/force-logout", null, _tokens.Access), stop);
            if (answer is null)
            {
                return;
            }

            if (answer.Status == 401)
            {
                await RefreshAsync(twoTabs: false, stop);
                continue;
            }

            var after = await traffic.SendAsync("refresh-after-force-logout", () => Traffic.Json(HttpMethod.Post, "/api/auth/refresh", new { refresh_token = victim.Item2 }), stop);
            if (after is { IsSuccess: true })
            {
                traffic.CountForceLogoutMiss();
            }

            return;
        }
    }
}
