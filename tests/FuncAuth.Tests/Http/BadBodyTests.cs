using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FuncAuth.Core.Abuse;
using FuncAuth.Core.Accounts;
using FuncAuth.Core.Sessions;
using FuncAuth.Core.Storage;
using FuncAuth.Tests.Support;

namespace FuncAuth.Tests.Http;

/// <summary>
/// docs/api.md, Conventions: bad input of any kind gets a 4xx Problem Details answer, never a 5xx, and leaves nothing behind.
/// Bodies are raw text, since a serializer cannot produce most of them; "{email}" in a body stands for a fresh address,
/// so a later good signup with that address proves the bad one created nothing.
/// </summary>
public sealed class BadBodyTests(BadBodyTests.Apps apps) : IClassFixture<BadBodyTests.Apps>
{
    private static readonly string[] Endpoints = ["signup", "login", "refresh", "logout", "set-roles"];

    private readonly string _email = Api.NewEmail("bad-body");
    private Apps.Target _app = apps.InProcess;
    private Tokens? _caller;
    private Tokens? _session;
    private SessionEntity? _sessionBefore;
    private TableRows? _before;

    private HttpClient Client => _app.Client;

    /// <summary>Whom logout is sent for: the app's bystander, unless the test signed in a user of its own.</summary>
    private Tokens Caller => _caller ?? _app.Bystander;

    public static TheoryData<string, string> MalformedJson => Cross(Endpoints,
        "{",
        "nope",
        """{"email":}""",
        """{"email":"{email}","password":""");

    public static TheoryData<string, string> WrongShapes
    {
        get
        {
            var data = Cross(Endpoints, """[{"email":"{email}"}]""", "\"{email}\"");
            data.Add("signup", """{"email":5}""");
            data.Add("signup", """{"email":["a"]}""");
            data.Add("signup", """{"email":"{email}","password":12345678,"passwordConfirmation":"12345678"}""");
            data.Add("signup", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":{"first":"Ann"}}""");
            data.Add("signup", "null");
            data.Add("login", """{"email":5,"password":"{password}"}""");
            data.Add("login", """{"email":["a"],"password":"{password}"}""");
            data.Add("login", """{"email":"{email}","password":true}""");
            data.Add("login", "null");
            data.Add("refresh", """{"refresh_token":5}""");
            data.Add("refresh", """{"refresh_token":["a"]}""");
            data.Add("refresh", "null");
            data.Add("logout", """{"scope":5}""");
            data.Add("logout", """{"scope":["global"]}""");
            data.Add("set-roles", """{"roles":"admin"}""");
            data.Add("set-roles", """{"roles":[5]}""");
            data.Add("set-roles", """{"roles":{"admin":true}}""");
            data.Add("set-roles", """{"roles":[["admin"]]}""");
            data.Add("set-roles", "null");
            return data;
        }
    }

    public static TheoryData<string, string?> WrongMediaTypes
    {
        get
        {
            var data = new TheoryData<string, string?>();
            foreach (var endpoint in Endpoints)
            {
                data.Add(endpoint, null);
                data.Add(endpoint, "text/plain");
                data.Add(endpoint, "application/x-www-form-urlencoded");
            }

            return data;
        }
    }

    public static TheoryData<string, bool> LargeBodies
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var endpoint in Endpoints)
            {
                data.Add(endpoint, false);
                data.Add(endpoint, true);
            }

            return data;
        }
    }

    public static TheoryData<string> EndpointsWithARequiredBody => ["signup", "login", "refresh", "set-roles"];

    [Theory]
    [MemberData(nameof(MalformedJson))]
    public async Task ABodyThatIsNotJsonIsMalformed(string endpoint, string body)
    {
        await ArrangeAsync(endpoint);
        using var response = await SendAsync(endpoint, Json(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingChangedAsync(endpoint, body);
    }

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public async Task JsonOfTheWrongShapeIsMalformed(string endpoint, string body)
    {
        await ArrangeAsync(endpoint);
        using var response = await SendAsync(endpoint, Json(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingChangedAsync(endpoint, body);
    }

    [Theory]
    [MemberData(nameof(EndpointsWithARequiredBody))]
    public async Task AnEmptyJsonBodyIsMalformed(string endpoint)
    {
        await ArrangeAsync(endpoint);
        using var response = await SendAsync(endpoint, Json(""));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingChangedAsync(endpoint, body: "");
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    public async Task LogoutNeedsNoBody(string body)
    {
        // Why logout is left out of the empty-body cases: its body is optional.
        _caller = await Client.SignupAsync();
        using var response = await SendAsync("logout", Json(body));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task AFailedLoginIsAChangeTheLoginCheckSees()
    {
        // The check must be able to fail: a well-formed login with a wrong password bumps both failure counters.
        await ArrangeAsync("login");
        using var wrong = await SendAsync("login", Json("""{"email":"{email}","password":"still not the password"}"""));
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");

        var after = await TableRows.ReadAsync(_app.App);

        Assert.Equal(2, _before!.Rows.Except(after.Rows).Count(r => r.Contains("/LoginFailures", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ARefreshIsAChangeTheRefreshCheckSees()
    {
        // The check must be able to fail: a good refresh rotates the session (its counter and ETag).
        await ArrangeAsync("refresh");
        using var refreshed = await SendAsync("refresh", Json(Body(new { refresh_token = _session!.RefreshToken })));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        var after = await TableRows.ReadAsync(_app.App);

        var changed = Assert.Single(_before!.Rows.Except(after.Rows));
        Assert.StartsWith($"{AuthTables.UserSessionsTable}/{_session.UserId}/{SessionEntity.RowPrefix}", changed, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LargeBodies))]
    public async Task ABodyOver64KiBIsTooLarge(string endpoint, bool chunked)
    {
        // A real Kestrel: TestServer gives every body a Content-Length and has no connection to keep or close.
        _app = apps.OverSockets;
        await ArrangeAsync(endpoint);
        var bytes = Encoding.UTF8.GetBytes(LargeBody());
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(chunked ? null : bytes.Length, content.Headers.ContentLength);

        using var response = await SendAsync(endpoint, content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        // The unread rest of the body makes the connection unusable, so the server must say it closes it (RFC 9112 §9.6);
        // otherwise the client sends its next request into a closing connection.
        Assert.True(response.Headers.ConnectionClose);
        using (var next = await Client.GetAsync("/api/health"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        await AssertNothingChangedAsync(endpoint);
    }

    [Theory]
    [MemberData(nameof(WrongMediaTypes))]
    public async Task ABodyThatIsNotDeclaredJsonIsAnUnsupportedMediaType(string endpoint, string? contentType)
    {
        await ArrangeAsync(endpoint);
        var fields = new Dictionary<string, string> { ["email"] = _email, ["password"] = Api.Password, ["passwordConfirmation"] = Api.Password };
        HttpContent content = contentType switch
        {
            "application/x-www-form-urlencoded" => new FormUrlEncodedContent(fields),
            _ => new ByteArrayContent(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(fields))),
        };
        if (contentType == "text/plain")
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await SendAsync(endpoint, content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertNothingChangedAsync(endpoint);
    }

    [Theory]
    [InlineData("signup", """{"email":"ann\ud800@example.com","password":"{password}","passwordConfirmation":"{password}"}""")]
    [InlineData("signup", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"Ann \udfff"}""")]
    [InlineData("signup", """{"email":"{email}","password":"password-\ud800","passwordConfirmation":"password-\ud800"}""")]
    [InlineData("signup", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"\udc00\ud800"}""")]
    [InlineData("login", """{"email":"ann\ud800@example.com","password":"{password}"}""")]
    [InlineData("login", """{"email":"{email}","password":"password-\ud800"}""")]
    [InlineData("refresh", """{"refresh_token":"\ud800"}""")]
    [InlineData("logout", """{"scope":"\ud800"}""")]
    [InlineData("set-roles", """{"roles":["\ud800"]}""")]
    public async Task AStringThatIsNotValidUnicodeIsMalformed(string endpoint, string body)
    {
        await ArrangeAsync(endpoint);
        // A lone surrogate escape is valid JSON syntax but no Unicode text: the parser refuses to make a string of it,
        // so the body never reaches the field rules and is not "JSON of the expected shape".
        using var response = await SendAsync(endpoint, Json(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingChangedAsync(endpoint, body);
    }

    [Theory]
    [InlineData("signup", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"X"}""")]
    [InlineData("login", """{"email":"X","password":"{password}"}""")]
    [InlineData("refresh", """{"refresh_token":"X"}""")]
    [InlineData("logout", """{"scope":"X"}""")]
    [InlineData("set-roles", """{"roles":["X"]}""")]
    public async Task BytesThatAreNotUtf8AreMalformed(string endpoint, string body)
    {
        await ArrangeAsync(endpoint);
        // In place of X: "é" in Latin-1, then the UTF-8 encoding of a lone surrogate (ED A0 80), which UTF-8 forbids.
        var bytes = Encoding.UTF8.GetBytes(body.Replace("{email}", _email).Replace("{password}", Api.Password));
        var at = Array.IndexOf(bytes, (byte)'X');
        var content = new ByteArrayContent([.. bytes[..at], 0xE9, 0xED, 0xA0, 0x80, .. bytes[(at + 1)..]]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await SendAsync(endpoint, content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        await AssertNothingChangedAsync(endpoint);
    }

    [Theory]
    [InlineData("email", """{"email":"ann\u0000@example.com","password":"{password}","passwordConfirmation":"{password}"}""")]
    [InlineData("name", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"Ann\u0000"}""")]
    [InlineData("name", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"Ann\u001b[31m"}""")]
    [InlineData("name", """{"email":"{email}","password":"{password}","passwordConfirmation":"{password}","name":"Ann\r\nBcc: x@example.com"}""")]
    public async Task SignupRefusesControlCharactersInEmailAndName(string field, string body)
    {
        using var response = await SendAsync("signup", Json(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await AssertNothingChangedAsync("signup", body);
    }

    [Fact]
    public async Task LoginWithANulCharacterInTheEmailMatchesNobody()
    {
        await Client.SignupAsync(_email);

        using var response = await SendAsync("login", Json("""{"email":"{email}\u0000","password":"{password}"}"""));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    // Zero-width and bidi control characters are refused since the v3 corrections (InvisibleCharacterTests); a zero-width joiner
    // inside an emoji sequence is not one of them.
    [Theory]
    [InlineData("Ann 👩🏽‍💻🔐")] // emoji with a skin tone and a zero-width joiner
    [InlineData("Zoe\u0308")] // combining diaeresis
    public async Task NamesInAnyScriptAreKeptExactly(string name)
    {
        var tokens = await Client.SignupAsync(_email, name);

        Assert.Equal(name, tokens.Body.GetProperty("user").GetProperty("name").GetString());
        using var me = await Client.GetAsync("/api/auth/me", tokens.AccessToken);
        Assert.Equal(name, (await me.ReadJsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task APasswordWithANulCharacterIsNotCutShortAtIt()
    {
        const string password = "password\u0000suffix";
        using var signup = await Client.PostJsonAsync("/api/auth/signup", new { email = _email, password, passwordConfirmation = password });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);

        using var prefix = await Client.PostJsonAsync("/api/auth/login", new { email = _email, password = "password" });
        await AssertProblemAsync(prefix, HttpStatusCode.Unauthorized, "invalid_credentials");
        await Client.LoginAsync(_email, password);
    }

    [Theory]
    [InlineData("' or 1 eq 1")]
    [InlineData("x' or PartitionKey eq 'x")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("%00%27%22")]
    public async Task InjectionAttemptsInEveryFieldGetCleanAnswers(string attack)
    {
        // As an email it is simply not an address; as a login it matches nobody; as a token, scope or role it is unknown.
        using (var signup = await SendAsync("signup", Json(Body(new { email = attack, password = Api.Password, passwordConfirmation = Api.Password }))))
        {
            await AssertProblemAsync(signup, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using (var login = await SendAsync("login", Json(Body(new { email = attack, password = attack }))))
        {
            await AssertProblemAsync(login, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var refresh = await SendAsync("refresh", Json(Body(new { refresh_token = attack }))))
        {
            await AssertProblemAsync(refresh, HttpStatusCode.Unauthorized, "refresh_token_invalid");
        }

        using (var roles = await SendAsync("set-roles", Json(Body(new { roles = new[] { attack } }))))
        {
            await AssertProblemAsync(roles, HttpStatusCode.UnprocessableEntity, "validation_failed");
            await AssertNothingChangedAsync("set-roles");
        }

        // As a name and a password it is just text: stored and compared verbatim, never interpreted.
        var password = attack.PadRight(8, '!');
        using (var created = await SendAsync("signup", Json(Body(new { email = _email, password, passwordConfirmation = password, name = attack }))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            _caller = await Tokens.ReadAsync(created);
            Assert.Equal(attack, _caller.Body.GetProperty("user").GetProperty("name").GetString());
        }

        using (var wrong = await SendAsync("login", Json(Body(new { email = _email, password = "' or 1 eq 1 --" }))))
        {
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var logout = await SendAsync("logout", Json(Body(new { scope = attack })));
        await AssertProblemAsync(logout, HttpStatusCode.UnprocessableEntity, "validation_failed");
        await AssertNothingChangedAsync("logout");
    }

    [Fact]
    public async Task AVeryLongEmailGetsACleanAnswer()
    {
        // Just under the body limit, so the service itself has to cope with it.
        var email = new string('a', 60_000) + "@example.com";

        using (var signup = await SendAsync("signup", Json(Body(new { email, password = Api.Password, passwordConfirmation = Api.Password }))))
        {
            await AssertProblemAsync(signup, HttpStatusCode.UnprocessableEntity, "validation_failed");
        }

        using var login = await SendAsync("login", Json(Body(new { email, password = Api.Password })));
        await AssertProblemAsync(login, HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Theory]
    [InlineData("GET", "/api/nope")]
    [InlineData("POST", "/api/auth/nope")]
    [InlineData("GET", "/")]
    public async Task AnUnknownRouteIsNotFound(string method, string path)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("PUT", "/api/auth/me", "GET")]
    [InlineData("GET", "/api/auth/login", "POST")]
    [InlineData("DELETE", "/api/users/0123456789abcdef0123456789abcdef", "GET")]
    public async Task AWrongMethodIsNotAllowed(string method, string path, string allowed)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains(allowed, response.Content.Headers.Allow);
    }

    private static TheoryData<string, string> Cross(IEnumerable<string> endpoints, params string[] bodies)
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in endpoints)
        {
            foreach (var body in bodies)
            {
                data.Add(endpoint, body);
            }
        }

        return data;
    }

    private static string Body(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    private string LargeBody() => Body(new { email = _email, password = Api.Password, passwordConfirmation = Api.Password, name = new string('n', 100 * 1024) });

    private HttpContent Json(string body) =>
        new StringContent(body.Replace("{email}", _email).Replace("{password}", Api.Password), Encoding.UTF8, "application/json");

    /// <summary>Sends the content to the endpoint as a client that may call it: logout as a signed-in user, set-roles as an admin.</summary>
    private async Task<HttpResponseMessage> SendAsync(string endpoint, HttpContent content)
    {
        HttpRequestMessage request;
        switch (endpoint)
        {
            case "logout":
                request = new(HttpMethod.Post, "/api/auth/logout");
                request.Headers.Authorization = new("Bearer", Caller.AccessToken);
                break;
            case "set-roles":
                // The admin's own roles: a body that got through by mistake would end the admin's access token.
                request = new(HttpMethod.Put, $"/api/users/{_app.Admin.UserId}/roles");
                request.Headers.Authorization = new("Bearer", _app.Admin.AccessToken);
                break;
            default:
                request = new(HttpMethod.Post, "/api/auth/" + endpoint);
                break;
        }

        request.Content = content;
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Sets the stage for <see cref="AssertNothingChangedAsync"/> and reads every row of the app's tables. Login: the
    /// bodies' address ("{email}") names an account, which has had one failed login, so both failed-login counters
    /// exist and a bad body that counted as an attempt would bump them. Refresh: a live session whose token must still
    /// work afterwards.
    /// </summary>
    private async Task ArrangeAsync(string endpoint)
    {
        if (endpoint == "login")
        {
            await Client.SignupAsync(_email);
            using var wrong = await Client.PostJsonAsync("/api/auth/login", new { email = _email, password = "not the password" });
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        }
        else if (endpoint == "refresh")
        {
            _session = await Client.SignupAsync(_email);
            _sessionBefore = await SessionRowAsync();
        }

        _before = await TableRows.ReadAsync(_app.App);
    }

    /// <summary>The one session row of <see cref="_session"/>'s user.</summary>
    private async Task<SessionEntity> SessionRowAsync()
    {
        var sessions = new List<SessionEntity>();
        await foreach (var row in _app.App.Table(AuthTables.UserSessionsTable).QueryAsync<SessionEntity>(e => e.PartitionKey == _session!.UserId))
        {
            if (row.RowKey.StartsWith(SessionEntity.RowPrefix, StringComparison.Ordinal))
            {
                sessions.Add(row);
            }
        }

        return Assert.Single(sessions);
    }

    /// <summary>
    /// The bad request left no trace: every row of the app's tables is as it was (same keys, same ETags), apart from the
    /// per-address request counter, which counts every token request whatever its body; no account with its email, no
    /// ended session, no changed roles. A signup body that did not carry the test's email (<paramref name="body"/> without
    /// "{email}") could not have created its account. After a bad refresh body the session's token still works, once.
    /// </summary>
    private async Task AssertNothingChangedAsync(string endpoint, string body = "{email}")
    {
        if (_before is not null)
        {
            var after = await TableRows.ReadAsync(_app.App);
            Assert.Equal(_before.Rows, after.Rows);
            if (endpoint == "login")
            {
                // Spelled out, though the rows above cover it: the account, its sessions and both failure counters.
                var account = EmailAddress.StorageKey(EmailAddress.Normalize(_email));
                Assert.Single(after.Rows, r => r.StartsWith($"{AuthTables.UsersTable}/{account}/", StringComparison.Ordinal));
                static bool FailureCounter(string row) => row.StartsWith(AuthTables.RateLimitsTable + "/", StringComparison.Ordinal) && row.Contains("/LoginFailures", StringComparison.Ordinal);
                Assert.True(_before.Rows.Count(FailureCounter) >= 2);
                Assert.Equal(_before.Rows.Where(FailureCounter), after.Rows.Where(FailureCounter));
            }
        }

        switch (endpoint)
        {
            case "refresh" when _session is not null:
                var row = await SessionRowAsync();
                Assert.Equal((_sessionBefore!.Counter, _sessionBefore.ETag, false), (row.Counter, row.ETag, row.Revoked));
                using (var refreshed = await Client.PostJsonAsync("/api/auth/refresh", new { refresh_token = _session.RefreshToken }))
                {
                    Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
                }

                break;
            case "signup" when body.Contains("{email}", StringComparison.Ordinal):
                await Client.SignupAsync(_email);
                break;
            case "logout":
                using (var me = await Client.GetAsync("/api/auth/me", Caller.AccessToken))
                {
                    Assert.Equal(HttpStatusCode.OK, me.StatusCode);
                }

                break;
            case "set-roles":
                using (var self = await Client.GetAsync("/api/users/" + _app.Admin.UserId, _app.Admin.AccessToken))
                {
                    Assert.Equal(HttpStatusCode.OK, self.StatusCode);
                    Assert.Equal(["user", "admin"], (await self.ReadJsonAsync()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
                }

                break;
        }
    }

    /// <summary>A Problem Details answer that names no exception, type or file of the service.</summary>
    private static async Task<System.Text.Json.JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await Problem.AssertAsync(response, status, code);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "Exception", "FuncAuth.", "System.", ".cs:", "Azure." })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }

        return problem;
    }

    /// <summary>
    /// Every row of an app's tables as "table/partition/row/etag", sorted; the per-address token request counters are left
    /// out (they count requests, bad ones included, by design).
    /// </summary>
    private sealed record TableRows(IReadOnlyList<string> Rows)
    {
        public static async Task<TableRows> ReadAsync(FuncAuthApp app)
        {
            var rows = new List<string>();
            foreach (var table in new[] { AuthTables.UsersTable, AuthTables.UserSessionsTable, AuthTables.SessionExpiryTable, AuthTables.RateLimitsTable, AuthTables.AuditEventsTable })
            {
                try
                {
                    await foreach (var row in app.Table(table).QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]))
                    {
                        if (!row.RowKey.StartsWith(nameof(RateLimitName.TokenRequestsPerAddress), StringComparison.Ordinal))
                        {
                            rows.Add($"{table}/{row.PartitionKey}/{row.RowKey}/{row.ETag}");
                        }
                    }
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                }
            }

            rows.Sort(StringComparer.Ordinal);
            return new TableRows(rows);
        }
    }

    /// <summary>A body the client cannot measure up front, so it goes chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    /// <summary>
    /// The apps these tests send to: one in-process, one on a real Kestrel for what only a socket shows (chunked
    /// bodies, closing connections). Each has its admin signed in (the admin address signs up once per app) and a
    /// bystander whose session bad logout bodies must leave alone; sharing them saves two password hashes per test.
    /// </summary>
    public sealed class Apps : IAsyncLifetime
    {
        public Target InProcess { get; private set; } = null!;

        public Target OverSockets { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var azurite = await AzuriteServer.GetAsync();
            // The limits on, so the login checks see the failed-login counters (a bad body must not count as an attempt);
            // the per-address token limit out of reach of the many sign-ups these tests send from one address. Loopback is
            // named a trusted proxy, so the per-address counters count it (otherwise it fails safe and they are skipped).
            var limits = new Dictionary<string, string?>
            {
                ["RateLimit:Enabled"] = "true",
                ["RateLimit:TokenRequestsPerAddress:Limit"] = "1000000",
                ["Network:TrustedProxies"] = "127.0.0.1,::1",
            };
            var inProcess = await FuncAuthApp.StartAsync(azurite, limits);
            InProcess = await Target.SignInAsync(inProcess, inProcess.CreateClient());

            var overSockets = await FuncAuthApp.StartAsync(azurite, limits, waitUntilHealthy: false);
            overSockets.UseKestrel(LoopbackPorts.FreePort());
            overSockets.StartServer();
            await overSockets.WaitUntilHealthyAsync();
            // CreateClient's redirect handler buffers request bodies, which would give a chunked body a Content-Length.
            OverSockets = await Target.SignInAsync(overSockets, overSockets.CreateDefaultClient());
        }

        public async Task DisposeAsync()
        {
            await InProcess.App.DisposeAsync();
            await OverSockets.App.DisposeAsync();
        }

        public sealed record Target(FuncAuthApp App, HttpClient Client, Tokens Admin, Tokens Bystander)
        {
            public static async Task<Target> SignInAsync(FuncAuthApp app, HttpClient client) =>
                new(app, client, await client.SignupAsync(FuncAuthApp.AdminEmail), await client.SignupAsync());
        }
    }
}
