// FuncAuth browser client: a dependency-free ES module for the FuncAuth HTTP contract (v1 to v3).
//
// Tokens: the refresh token lives in storage (localStorage by default) so that every tab of the app shares one
// session; the access token lives only in memory and reaches other tabs by BroadcastChannel. A refresh runs under a
// Web Lock, so however many tabs notice the expiry at once, exactly one of them presents the refresh token; the others
// take the tokens it broadcasts. Nothing here ever puts a token in a URL or writes one to the console.

const REFRESH_KEY_SUFFIX = ".refresh_token";
const DEFAULT_MAX_MARGIN_MS = 60_000;
const BROADCAST_WAIT_MS = 3_000;

/** Error codes after which the stored refresh token is worthless: the session is over in every tab. */
const SESSION_ENDING_CODES = new Set(["refresh_token_reused", "refresh_token_invalid", "refresh_token_expired"]);

/** Access-token rejections that a refresh can cure (expired, or superseded by a rotation or a role change). */
const REFRESHABLE_CODES = new Set(["token_expired", "token_revoked"]);

/** An error answer of the API (RFC 9457 Problem Details, or the OAuth error shape), or a network failure (status 0). */
export class FuncAuthError extends Error {
  constructor({ status, code, title, detail, errors, retryAfter }) {
    super(detail || title || code || `HTTP ${status}`);
    this.name = "FuncAuthError";
    this.status = status;
    this.code = code ?? null;
    this.title = title ?? null;
    this.detail = detail ?? null;
    this.errors = errors ?? null;
    this.retryAfter = retryAfter ?? null;
  }
}

/** Creates a client. Every dependency can be injected, which is how the unit tests run it in Node. */
export function createClient(options = {}) {
  return new FuncAuthClient(options);
}

export class FuncAuthClient {
  #baseUrl;
  #fetch;
  #storage;
  #locks;
  #channel;
  #events;
  #now;
  #setTimeout;
  #clearTimeout;
  #storageKey;
  #lockName;
  #maxMarginMs;
  #tokenOrigins;
  #credentials;
  #publicKeyCredential;
  /** The mfaToken of a signIn that answered mfa_required, for verifyMfa; memory only, never stored. */
  #pendingMfa = null;

  /** { refreshToken, accessToken, expiresAt (ms), lifetimeMs, user } or null when signed out. */
  #session = null;
  #listeners = new Set();
  #timer = null;
  #refreshing = null;
  #waiters = new Set();
  #closed = false;

  constructor(options = {}) {
    const g = globalThis;
    this.#baseUrl = String(options.baseUrl ?? "").replace(/\/+$/, "");
    const fetchImpl = options.fetch ?? g.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("FuncAuth: no fetch implementation");
    this.#fetch = (input, init) => fetchImpl.call(g, input, init);
    this.#storage = options.storage !== undefined ? options.storage : safeLocalStorage();
    this.#locks = options.locks !== undefined ? options.locks : (g.navigator?.locks ?? null);
    this.#storageKey = options.storageKey ?? "funcauth";
    this.#lockName = `${this.#storageKey}:refresh`;
    this.#now = options.now ?? (() => Date.now());
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => g.setTimeout(fn, ms));
    this.#clearTimeout = options.clearTimeout ?? ((id) => g.clearTimeout(id));
    this.#maxMarginMs = options.refreshMarginMs ?? DEFAULT_MAX_MARGIN_MS;
    this.#credentials = options.credentials !== undefined ? options.credentials : (g.navigator?.credentials ?? null);
    this.#publicKeyCredential = options.PublicKeyCredential !== undefined ? options.PublicKeyCredential : (g.PublicKeyCredential ?? null);
    this.#tokenOrigins = new Set(
      [this.#baseUrl || originOf(g.location?.href), ...(options.tokenOrigins ?? [])].filter(Boolean).map((u) => originOf(u)),
    );

    this.#channel = options.channel !== undefined
      ? options.channel
      : typeof g.BroadcastChannel === "function" ? new g.BroadcastChannel(this.#storageKey) : null;
    this.#channel?.addEventListener("message", this.#onMessage);

    // Storage events are the fallback for browsers without BroadcastChannel, and they catch a sign-out in a tab
    // that closed before its broadcast went out.
    this.#events = options.storageEvents !== undefined ? options.storageEvents : (g.window ?? null);
    this.#events?.addEventListener?.("storage", this.#onStorage);

    const stored = this.#readRefreshToken();
    if (stored) this.#session = { refreshToken: stored, accessToken: null, expiresAt: 0, lifetimeMs: 0, user: null };
  }

  // ---- Session state ---------------------------------------------------------------------------------------------

  /**
   * Restores the session of a previous visit (one refresh, shared with other tabs through the lock), emits
   * INITIAL_SESSION and returns the session or null.
   */
  async initialize() {
    let session = null;
    if (this.#session) {
      try {
        session = await this.#ensureFresh();
      } catch (e) {
        // A network failure keeps the refresh token for the next try; the app just starts signed out for now.
        if (!(e instanceof FuncAuthError) || e.status !== 0) throw e;
      }
    }
    this.#emit("INITIAL_SESSION");
    return session;
  }

  /** The current session as the app may see it (no refresh token), or null. */
  get session() {
    return this.#publicSession();
  }

  get user() {
    return this.#session?.user ?? null;
  }

  /**
   * Calls back with (event, session) on SIGNED_IN, SIGNED_OUT, TOKEN_REFRESHED, USER_UPDATED and INITIAL_SESSION,
   * in this tab and when another tab changed the shared session. Returns a function that unsubscribes.
   */
  onAuthStateChange(callback) {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** A valid access token (refreshing first when it is due), or null when signed out. */
  async getAccessToken() {
    const session = await this.#ensureFresh();
    return session?.accessToken ?? null;
  }

  /** Stops timers and listeners (a test or a single-page app tearing the client down). */
  close() {
    this.#closed = true;
    this.#cancelTimer();
    this.#channel?.removeEventListener("message", this.#onMessage);
    if (this.#channel && typeof this.#channel.close === "function") this.#channel.close();
    this.#events?.removeEventListener?.("storage", this.#onStorage);
  }

  // ---- v1: sign up, sign in, refresh, sign out, the user ---------------------------------------------------------

  /**
   * POST /api/auth/signup. Returns { session } when the account is signed in at once, or { status:
   * "verification_sent" } when the server requires email verification first.
   */
  async signUp({ email, password, passwordConfirmation, name } = {}) {
    const body = { email, password, passwordConfirmation: passwordConfirmation ?? password };
    if (name !== undefined && name !== null && name !== "") body.name = name;
    const { status, data } = await this.#call("POST", "/api/auth/signup", { body });
    if (status === 202) return { status: data?.status ?? "verification_sent", session: null };
    this.#adopt(data, "SIGNED_IN");
    return { status: "signed_in", session: this.#publicSession() };
  }

  /**
   * POST /api/auth/login: opens a new session for this browser (all its tabs) and returns it. When the account has a
   * second factor, no session opens yet: the result is { status: "mfa_required", methods, mfaToken, expiresIn }, and
   * the app asks for a code and answers with verifyMfa({ code }) or verifyMfa({ recoveryCode }).
   */
  async signIn({ email, password } = {}) {
    this.#pendingMfa = null;
    const { status, data } = await this.#call("POST", "/api/auth/login", { body: { email, password }, pass: "mfa_required" });
    if (status === 403) {
      this.#pendingMfa = data.mfaToken;
      return { status: "mfa_required", methods: data.methods ?? [], mfaToken: data.mfaToken, expiresIn: data.expiresIn ?? null };
    }
    this.#adopt(data, "SIGNED_IN");
    return this.#publicSession();
  }

  /**
   * POST /api/auth/mfa/verify: answers signIn's mfa_required with a TOTP code or a recovery code and opens the session.
   * The mfaToken of the last signIn is used unless one is given. A wrong code (mfa_code_invalid) may be retried with
   * the same token; once the token is over (mfa_token_invalid: used, expired, or 5 wrong codes) sign in again.
   */
  async verifyMfa({ code, recoveryCode, mfaToken } = {}) {
    const token = mfaToken ?? this.#pendingMfa;
    if (!token) throw new FuncAuthError({ status: 401, code: "mfa_token_invalid", detail: "Sign in with the password first." });
    let data;
    try {
      ({ data } = await this.#call("POST", "/api/auth/mfa/verify", { body: { mfaToken: token, ...oneTimeCode({ code, recoveryCode }) } }));
    } catch (e) {
      if (e instanceof FuncAuthError && e.code === "mfa_token_invalid" && token === this.#pendingMfa) this.#pendingMfa = null;
      throw e;
    }
    if (token === this.#pendingMfa) this.#pendingMfa = null;
    this.#adopt(data, "SIGNED_IN");
    return this.#publicSession();
  }

  /**
   * POST /api/auth/refresh, once across all tabs. Without { force: true } it returns the current session when that
   * is not yet due (another tab may just have refreshed it).
   */
  async refresh({ force = false } = {}) {
    return this.#refreshShared(force ? this.#session?.accessToken ?? null : undefined);
  }

  /**
   * POST /api/auth/logout with scope "local" (this browser, every tab), "global" (every device) or "others" (every
   * other device; this browser stays signed in). Local state is cleared even when the server cannot be reached.
   */
  async signOut(scope = "local") {
    if (!["local", "global", "others"].includes(scope)) throw new TypeError(`FuncAuth: unknown sign-out scope ${scope}`);
    if (!this.#session) return;
    if (scope === "others") {
      // This browser stays signed in, so the caller must learn whether the other devices really are signed out.
      await this.#authorized("POST", "/api/auth/logout", { body: { scope } });
      return;
    }
    let session = null;
    try {
      session = await this.#ensureFresh();
    } catch {
      // The server cannot be reached: sign out here all the same.
    }
    // Every tab stops using the session at once, without waiting for the server's answer.
    this.#endSession("SIGNED_OUT", true);
    if (!session?.accessToken) return;
    try {
      await this.#call("POST", "/api/auth/logout", { body: { scope }, token: session.accessToken });
    } catch {
      // Already ended at the server (401), or unreachable: nothing here holds the session any more.
    }
  }

  /** GET /api/auth/me. */
  async getUser() {
    const { data } = await this.#authorized("GET", "/api/auth/me");
    this.#setUser(data);
    return data;
  }

  // ---- v2: profile, sessions, passwords, email verification, account ---------------------------------------------

  /** PATCH /api/auth/me { name }. */
  async updateProfile({ name } = {}) {
    const { data } = await this.#authorized("PATCH", "/api/auth/me", { body: { name } });
    this.#setUser(data);
    return data;
  }

  /** GET /api/auth/sessions: the user's live sessions, newest first, the caller's marked current. */
  async listSessions() {
    const { data } = await this.#authorized("GET", "/api/auth/sessions");
    return data;
  }

  /**
   * GET /api/auth/audit: the user's security events, newest first, `limit` (1-100, default 50) per page; pass the
   * answer's nextCursor as `cursor` for the next page (null on the last).
   */
  async listAuditEvents({ limit, cursor } = {}) {
    const query = new URLSearchParams();
    if (limit !== undefined) query.set("limit", String(limit));
    if (cursor) query.set("cursor", cursor);
    const text = query.toString();
    const suffix = text ? `?${text}` : "";
    const { data } = await this.#authorized("GET", `/api/auth/audit${suffix}`);
    return data;
  }

  /** DELETE /api/auth/sessions/{id}. Ending this browser's own session signs every tab out. */
  async endSession(sessionId) {
    const current = this.#currentSessionId();
    await this.#authorized("DELETE", `/api/auth/sessions/${encodeURIComponent(sessionId)}`);
    if (current && current === sessionId) this.#endSession("SIGNED_OUT", true);
  }

  /** POST /api/auth/password/change: every other session ends, this one stays. */
  async changePassword({ currentPassword, password, passwordConfirmation } = {}) {
    await this.#authorized("POST", "/api/auth/password/change", {
      body: { currentPassword, password, passwordConfirmation: passwordConfirmation ?? password },
    });
  }

  /** POST /api/auth/password/forgot: always accepted (202), whether or not the address is registered. */
  async forgotPassword(email) {
    await this.#call("POST", "/api/auth/password/forgot", { body: { email } });
  }

  /** POST /api/auth/password/reset with the token from the emailed link: every session of the user ends. */
  async resetPassword({ token, password, passwordConfirmation } = {}) {
    await this.#call("POST", "/api/auth/password/reset", {
      body: { token, password, passwordConfirmation: passwordConfirmation ?? password },
    });
  }

  /** POST /api/auth/verify-email with the token from the emailed link. */
  async verifyEmail(token) {
    await this.#call("POST", "/api/auth/verify-email", { body: { token } });
    if (this.#session?.user) this.#setUser({ ...this.#session.user, emailVerified: true });
  }

  /** POST /api/auth/verify-email/resend: always accepted (202). */
  async resendVerification(email) {
    await this.#call("POST", "/api/auth/verify-email/resend", { body: { email } });
  }

  /** DELETE /api/auth/account { password }: removes the account; every tab signs out. */
  async deleteAccount(password) {
    await this.#authorized("DELETE", "/api/auth/account", { body: { password } });
    this.#endSession("SIGNED_OUT", true);
  }

  /** API keys of the signed-in user: POST, GET and DELETE /api/auth/api-keys. */
  get apiKeys() {
    return {
      create: async ({ name, expiresInDays, scope } = {}) =>
        (await this.#authorized("POST", "/api/auth/api-keys", { body: compact({ name, expiresInDays, scope }) })).data,
      list: async () => (await this.#authorized("GET", "/api/auth/api-keys")).data,
      delete: async (id) => { await this.#authorized("DELETE", `/api/auth/api-keys/${encodeURIComponent(id)}`); },
    };
  }

  // ---- v3: re-authentication and the TOTP second factor ------------------------------------------------------------

  /**
   * POST /api/auth/reauthenticate with { password }, { code } (TOTP) or { recoveryCode }: proves the user again in the
   * current session, as the sensitive operations ask (reauthentication_required): the same session, new tokens,
   * auth_time now and amr merged. For a passkey use reauthenticateWithPasskey().
   */
  async reauthenticate({ password, code, recoveryCode } = {}) {
    const proofs = [password, code, recoveryCode].filter((v) => v !== undefined && v !== null && v !== "");
    if (proofs.length !== 1) throw new TypeError("FuncAuth: reauthenticate takes exactly one of password, code, recoveryCode");
    const body = password ? { password } : oneTimeCode({ code, recoveryCode });
    const { data } = await this.#authorized("POST", "/api/auth/reauthenticate", { body });
    this.#adopt(data, "TOKEN_REFRESHED");
    return this.#publicSession();
  }

  /**
   * The signed-in user's second factors (/api/auth/mfa...). Turning TOTP on, off, and new recovery codes ask for a
   * recent proof (reauthentication_required otherwise; off and new codes want one with a code).
   */
  get mfa() {
    return {
      /** GET /api/auth/mfa: { totp: { enabled, createdAt }, recoveryCodesLeft, passkeys }. */
      status: async () => (await this.#authorized("GET", "/api/auth/mfa")).data,
      /** POST /api/auth/mfa/totp: a pending secret { secret, otpauthUri } to put in an authenticator app. */
      enrollTotp: async () => (await this.#authorized("POST", "/api/auth/mfa/totp", { body: {} })).data,
      /** POST /api/auth/mfa/totp/confirm: TOTP is on; returns { recoveryCodes }, shown only this once. */
      confirmTotp: async (code) => {
        const { data } = await this.#authorized("POST", "/api/auth/mfa/totp/confirm", { body: { code } });
        if (this.#session?.user) this.#setUser({ ...this.#session.user, mfaEnabled: true });
        return data;
      },
      /** DELETE /api/auth/mfa/totp: TOTP and the recovery codes end. */
      disableTotp: async () => {
        await this.#authorized("DELETE", "/api/auth/mfa/totp");
        if (this.#session?.user) this.#setUser({ ...this.#session.user, mfaEnabled: false });
      },
      /** POST /api/auth/mfa/recovery-codes: { recoveryCodes }, 10 new ones; the old ones end. */
      regenerateRecoveryCodes: async () => (await this.#authorized("POST", "/api/auth/mfa/recovery-codes", { body: {} })).data,
    };
  }

  // ---- v3: passkeys (WebAuthn) --------------------------------------------------------------------------------------

  /** Whether this browser can make and use passkeys (WebAuthn with a JSON-capable credential). */
  get passkeysSupported() {
    return Boolean(this.#credentials && this.#publicKeyCredential);
  }

  /**
   * Adds a passkey to the signed-in account: creation options from the server, navigator.credentials.create() (the
   * device asks for its screen lock or security key), then the answer back. Returns { id, name, createdAt, lastUsedAt }.
   * The server asks for a recent sign-in: a FuncAuthError with code reauthentication_required means re-authenticate
   * first.
   */
  async registerPasskey(name) {
    const { data: options } = await this.#authorized("POST", "/api/auth/passkeys/register/options", { body: {} });
    const credential = await this.#passkeyCall("create", creationOptionsFromJSON(options, this.#publicKeyCredential));
    const { data } = await this.#authorized("POST", "/api/auth/passkeys/register", {
      body: compact({ credential: credentialToJSON(credential), name: name || undefined }),
    });
    return data;
  }

  /**
   * Signs in with a passkey, no password: request options (no user named: the device offers the passkeys it holds
   * for this site), navigator.credentials.get(), then POST /api/auth/passkeys/login. With { mediation: "conditional" }
   * the browser offers passkeys in the autofill of an input with autocomplete="username webauthn", and the promise
   * waits until the user picks one; { signal } aborts the wait.
   */
  async signInWithPasskey({ mediation, signal } = {}) {
    const { data: options } = await this.#call("POST", "/api/auth/passkeys/login/options", { body: {} });
    const credential = await this.#passkeyCall("get", requestOptionsFromJSON(options, this.#publicKeyCredential), { mediation, signal });
    const { data } = await this.#call("POST", "/api/auth/passkeys/login", {
      body: { challengeId: options.challengeId, credential: credentialToJSON(credential) },
    });
    this.#adopt(data, "SIGNED_IN");
    return this.#publicSession();
  }

  /**
   * Steps the current session up with one of the user's passkeys (POST /api/auth/passkeys/options, then
   * POST /api/auth/reauthenticate { passkey }): the same session, new tokens, auth_time now and amr with hwk and mfa,
   * as the sensitive operations ask (reauthentication_required).
   */
  async reauthenticateWithPasskey() {
    const { data: options } = await this.#authorized("POST", "/api/auth/passkeys/options", { body: {} });
    const credential = await this.#passkeyCall("get", requestOptionsFromJSON(options, this.#publicKeyCredential));
    const { data } = await this.#authorized("POST", "/api/auth/reauthenticate", { body: { passkey: credentialToJSON(credential) } });
    this.#adopt(data, "TOKEN_REFRESHED");
    return this.#publicSession();
  }

  /** Whether the browser can offer passkeys in an input's autofill (conditional mediation). */
  async conditionalPasskeysAvailable() {
    const P = this.#publicKeyCredential;
    return Boolean(this.#credentials && P && typeof P.isConditionalMediationAvailable === "function" && (await P.isConditionalMediationAvailable()));
  }

  /** GET /api/auth/passkeys: the user's passkeys, newest first. */
  async listPasskeys() {
    return (await this.#authorized("GET", "/api/auth/passkeys")).data;
  }

  /** DELETE /api/auth/passkeys/{id}. The passkey stays on the device; the server no longer accepts it. */
  async deletePasskey(id) {
    await this.#authorized("DELETE", `/api/auth/passkeys/${encodeURIComponent(id)}`);
  }

  async #passkeyCall(kind, publicKey, { mediation, signal } = {}) {
    if (!this.#credentials) throw new FuncAuthError({ status: 0, code: "passkeys_unsupported", detail: "This browser cannot use passkeys." });
    const request = compact({ publicKey, mediation, signal });
    const credential = await this.#credentials[kind](request);
    if (!credential) throw new FuncAuthError({ status: 0, code: "passkey_cancelled", detail: "No passkey was chosen." });
    return credential;
  }

  /** Administration (role admin): /api/users/... */
  get admin() {
    const user = (id) => `/api/users/${encodeURIComponent(id)}`;
    return {
      getUser: async (id) => (await this.#authorized("GET", user(id))).data,
      findByEmail: async (email) =>
        (await this.#authorized("GET", `/api/users?${new URLSearchParams({ email })}`)).data,
      forceLogout: async (id) => { await this.#authorized("POST", `${user(id)}/force-logout`); },
      setRoles: async (id, roles) => (await this.#authorized("PUT", `${user(id)}/roles`, { body: { roles } })).data,
      disable: async (id) => (await this.#authorized("POST", `${user(id)}/disable`)).data,
      enable: async (id) => (await this.#authorized("POST", `${user(id)}/enable`)).data,
      listApiKeys: async (id) => (await this.#authorized("GET", `${user(id)}/api-keys`)).data,
      deleteApiKey: async (id, keyId) => {
        await this.#authorized("DELETE", `${user(id)}/api-keys/${encodeURIComponent(keyId)}`);
      },
    };
  }

  // ---- fetch wrapper ---------------------------------------------------------------------------------------------

  /**
   * fetch() with the access token attached (only to FuncAuth's origin and the origins in options.tokenOrigins, never
   * to a third party). On 401 token_expired or token_revoked it refreshes once and retries once.
   */
  fetch = async (input, init = {}) => {
    const request = typeof Request === "function" && input instanceof Request ? input : null;
    const url = request ? request.url : String(input);
    if (!this.#mayCarryToken(url)) return this.#fetch(input, init);

    const session = await this.#ensureFresh();
    const send = (token, retry) => {
      const headers = new Headers(init.headers ?? request?.headers ?? undefined);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      // A Request's body can be read once: the first attempt uses a clone so that the retry still has one.
      const source = request ? (retry ? request : request.clone()) : input;
      return this.#fetch(source, { ...init, headers });
    };

    const first = await send(session?.accessToken, false);
    if (first.status !== 401 || !session?.accessToken) return first;
    const code = await problemCode(first);
    if (!REFRESHABLE_CODES.has(code)) return first;

    const renewed = await this.#refreshShared(session.accessToken);
    if (!renewed?.accessToken) return first;
    return send(renewed.accessToken, true);
  };

  // ---- internals: HTTP -------------------------------------------------------------------------------------------

  /** `pass`: a problem code that is an answer rather than an error (returned as { status, data }, not thrown). */
  async #call(method, path, { body, token, pass } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await this.#fetch(this.#baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new FuncAuthError({ status: 0, code: "network_error", detail: "The server could not be reached." });
    }
    const data = await readJson(response);
    if (!response.ok && !(pass && data?.code === pass)) throw toError(response, data);
    return { status: response.status, data };
  }

  /** A call with the access token; refreshes first when due, and once more after token_expired / token_revoked. */
  async #authorized(method, path, options = {}) {
    const session = await this.#ensureFresh();
    if (!session) throw new FuncAuthError({ status: 401, code: "token_missing", detail: "Not signed in." });
    try {
      return await this.#call(method, path, { ...options, token: session.accessToken });
    } catch (e) {
      if (!(e instanceof FuncAuthError) || e.status !== 401 || !REFRESHABLE_CODES.has(e.code)) throw e;
      const renewed = await this.#refreshShared(session.accessToken);
      if (!renewed) throw e;
      return this.#call(method, path, { ...options, token: renewed.accessToken });
    }
  }

  #mayCarryToken(url) {
    const origin = originOf(url, globalThis.location?.href);
    return origin !== null && this.#tokenOrigins.has(origin);
  }

  // ---- internals: refresh ----------------------------------------------------------------------------------------

  #marginMs(session) {
    return Math.min(this.#maxMarginMs, Math.floor((session?.lifetimeMs ?? 0) / 4));
  }

  #isFresh(session) {
    return Boolean(session?.accessToken) && session.expiresAt - this.#now() > this.#marginMs(session);
  }

  async #ensureFresh() {
    const session = this.#session;
    if (!session) return null;
    if (this.#isFresh(session)) return session;
    return this.#refreshShared(undefined);
  }

  /**
   * Refreshes unless another tab already did. `rejected` is the access token the server refused (fetch wrapper), or
   * undefined for "refresh when due". One refresh per tab at a time; one per browser through the lock.
   */
  #refreshShared(rejected) {
    if (this.#refreshing) return this.#refreshing;
    const run = async () => {
      try {
        return await this.#withLock(() => this.#refreshLocked(rejected));
      } finally {
        this.#refreshing = null;
      }
    };
    this.#refreshing = run();
    return this.#refreshing;
  }

  async #refreshLocked(rejected) {
    // Another tab may have refreshed while this one waited for the lock; its broadcast has then already replaced
    // this tab's access token, and there is nothing left to do.
    const current = this.#session;
    if (current?.accessToken) {
      const done = rejected === undefined
        ? this.#isFresh(current)
        : current.accessToken !== rejected && current.expiresAt > this.#now();
      if (done) return current;
    }

    const stored = this.#readRefreshToken();
    if (!stored) {
      // Another tab signed out (or storage was cleared) while this one waited.
      if (current) this.#endSession("SIGNED_OUT", false);
      return null;
    }

    if (current && stored !== current.refreshToken) {
      // Another tab rotated the token and its broadcast is still on the way: wait for it. Presenting the new refresh
      // token here would be a second rotation for nothing.
      const adopted = await this.#waitForBroadcast(stored);
      if (adopted) return adopted;
    }

    let data;
    try {
      ({ data } = await this.#call("POST", "/api/auth/refresh", { body: { refresh_token: stored } }));
    } catch (e) {
      if (e instanceof FuncAuthError && e.status === 401 && SESSION_ENDING_CODES.has(e.code)) {
        // Reuse means theft (the server has revoked the session); invalid or expired means it is over anyway.
        // Either way no tab may keep using it.
        this.#endSession("SIGNED_OUT", true, e.code);
        return null;
      }
      throw e;
    }
    return this.#adopt(data, "TOKEN_REFRESHED");
  }

  async #withLock(fn) {
    if (this.#locks && typeof this.#locks.request === "function") {
      return this.#locks.request(this.#lockName, { mode: "exclusive" }, fn);
    }
    // Without Web Locks (an old browser) only this tab is serialised; the server's reuse grace covers the rest.
    return fn();
  }

  #waitForBroadcast(refreshToken) {
    return new Promise((resolve) => {
      const waiter = {
        refreshToken,
        resolve: (session) => {
          this.#clearTimeout(waiter.timer);
          this.#waiters.delete(waiter);
          resolve(session);
        },
      };
      waiter.timer = this.#setTimeout(() => waiter.resolve(null), BROADCAST_WAIT_MS);
      this.#waiters.add(waiter);
    });
  }

  // ---- internals: state ------------------------------------------------------------------------------------------

  /** Takes a token response as the session of every tab: stores the refresh token, broadcasts the rest. */
  #adopt(data, event) {
    const lifetimeMs = Math.max(0, Number(data.expires_in) || 0) * 1000;
    const session = {
      refreshToken: data.refresh_token,
      accessToken: data.access_token,
      expiresAt: this.#now() + lifetimeMs,
      lifetimeMs,
      issuedAt: this.#now(),
      user: data.user ?? this.#session?.user ?? null,
    };
    this.#writeRefreshToken(session.refreshToken);
    this.#apply(session, event);
    this.#post({ type: "session", event, session });
    return session;
  }

  #apply(session, event) {
    this.#session = session;
    this.#schedule();
    for (const waiter of [...this.#waiters]) {
      if (waiter.refreshToken === session.refreshToken) waiter.resolve(session);
    }
    this.#emit(event);
  }

  #setUser(user) {
    if (!this.#session || !user) return;
    this.#session = { ...this.#session, user };
    this.#post({ type: "user", user });
    this.#emit("USER_UPDATED");
  }

  #endSession(event, everywhere, reason = null) {
    const hadSession = this.#session !== null;
    this.#session = null;
    this.#cancelTimer();
    for (const waiter of [...this.#waiters]) waiter.resolve(null);
    if (everywhere) {
      this.#removeRefreshToken();
      this.#post({ type: "signed_out", reason });
    }
    if (hadSession) this.#emit(event, reason);
  }

  #schedule() {
    this.#cancelTimer();
    const session = this.#session;
    if (!session?.accessToken || this.#closed) return;
    const due = Math.max(0, session.expiresAt - this.#marginMs(session) - this.#now());
    this.#timer = this.#setTimeout(() => {
      this.#timer = null;
      // A failed background refresh is retried on the next call that needs a token.
      this.#refreshShared(undefined).catch(() => {});
    }, due);
  }

  #cancelTimer() {
    if (this.#timer !== null) {
      this.#clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #onMessage = (message) => {
    const data = message?.data;
    if (!data || typeof data !== "object") return;
    if (data.type === "session" && data.session?.refreshToken) {
      // A late message must not roll this tab back to tokens older than the ones it holds.
      const current = this.#session;
      if (current?.issuedAt && !(data.session.issuedAt >= current.issuedAt)) return;
      const event = current?.accessToken && data.event !== "SIGNED_IN" ? "TOKEN_REFRESHED" : "SIGNED_IN";
      this.#apply({ ...data.session }, event);
    } else if (data.type === "user" && this.#session) {
      this.#session = { ...this.#session, user: data.user };
      this.#emit("USER_UPDATED");
    } else if (data.type === "signed_out") {
      this.#endSession("SIGNED_OUT", false, data.reason ?? null);
    }
  };

  #onStorage = (event) => {
    if (event?.key !== null && event?.key !== this.#refreshKey()) return;
    const stored = this.#readRefreshToken();
    if (!stored) {
      this.#endSession("SIGNED_OUT", false);
    } else if (!this.#session) {
      // Signed in elsewhere; the broadcast (if any) brings the access token, else the next call refreshes.
      this.#session = { refreshToken: stored, accessToken: null, expiresAt: 0, lifetimeMs: 0, user: null };
    } else if (stored !== this.#session.refreshToken && !this.#channel) {
      // Rotated elsewhere and no channel to bring the new access token: the next call refreshes under the lock.
      this.#session = { ...this.#session, refreshToken: stored, accessToken: null, expiresAt: 0 };
    }
  };

  #post(message) {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel: the storage event still tells the other tabs.
    }
  }

  #emit(event, reason = null) {
    const session = this.#publicSession();
    for (const listener of [...this.#listeners]) {
      try {
        listener(event, session, reason);
      } catch {
        // One broken listener must not stop the others or the client.
      }
    }
  }

  #publicSession() {
    const s = this.#session;
    if (!s?.accessToken) return null;
    return { accessToken: s.accessToken, expiresAt: s.expiresAt, user: s.user };
  }

  #currentSessionId() {
    const token = this.#session?.accessToken;
    if (!token) return null;
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "="))).sid ?? null;
    } catch {
      return null;
    }
  }

  #refreshKey() {
    return this.#storageKey + REFRESH_KEY_SUFFIX;
  }

  #readRefreshToken() {
    try {
      return this.#storage?.getItem(this.#refreshKey()) ?? null;
    } catch {
      return null;
    }
  }

  #writeRefreshToken(value) {
    try {
      this.#storage?.setItem(this.#refreshKey(), value);
    } catch {
      // Storage full or denied: the session still works in this tab.
    }
  }

  #removeRefreshToken() {
    try {
      this.#storage?.removeItem(this.#refreshKey());
    } catch {
      // Nothing stored to remove.
    }
  }
}

// ---- helpers ---------------------------------------------------------------------------------------------------

// WebAuthn's JSON forms: the browser's own parse…FromJSON and toJSON where it has them (WebAuthn Level 3), else the
// same conversion by hand (base64url fields to ArrayBuffers and back), for browsers without them.

function creationOptionsFromJSON(options, P) {
  if (typeof P?.parseCreationOptionsFromJSON === "function") return P.parseCreationOptionsFromJSON(options);
  return {
    ...options,
    challenge: fromBase64Url(options.challenge),
    user: { ...options.user, id: fromBase64Url(options.user.id) },
    excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
  };
}

function requestOptionsFromJSON(options, P) {
  const { challengeId, ...json } = options;
  if (typeof P?.parseRequestOptionsFromJSON === "function") return P.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
  };
}

function credentialToJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = r.attestationObject
    ? {
        clientDataJSON: toBase64Url(r.clientDataJSON),
        attestationObject: toBase64Url(r.attestationObject),
        transports: typeof r.getTransports === "function" ? r.getTransports() : [],
      }
    : {
        clientDataJSON: toBase64Url(r.clientDataJSON),
        authenticatorData: toBase64Url(r.authenticatorData),
        signature: toBase64Url(r.signature),
        userHandle: r.userHandle ? toBase64Url(r.userHandle) : null,
      };
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: typeof credential.getClientExtensionResults === "function" ? credential.getClientExtensionResults() : {},
    response,
  };
}

export function toBase64Url(buffer) {
  const bytes = new Uint8Array(buffer instanceof ArrayBuffer ? buffer : buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function safeLocalStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // Storage disabled by the browser's settings.
  }
}

function originOf(url, base) {
  if (!url) return null;
  try {
    return new URL(url, base).origin;
  } catch {
    return null;
  }
}

/** The body fields of a one-time code: exactly one of a TOTP code and a recovery code. */
function oneTimeCode({ code, recoveryCode }) {
  const hasCode = code !== undefined && code !== null && code !== "";
  const hasRecovery = recoveryCode !== undefined && recoveryCode !== null && recoveryCode !== "";
  if (hasCode === hasRecovery) throw new TypeError("FuncAuth: give exactly one of code and recoveryCode");
  return hasCode ? { code: String(code) } : { recoveryCode: String(recoveryCode) };
}

function compact(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

async function readJson(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toError(response, data) {
  const retry = response.headers?.get?.("Retry-After");
  return new FuncAuthError({
    status: response.status,
    // Problem Details carry `code`; the OAuth endpoints answer `error`.
    code: data?.code ?? data?.error ?? null,
    title: data?.title ?? null,
    detail: data?.detail ?? data?.error_description ?? null,
    errors: data?.errors ?? null,
    retryAfter: retry ? Number(retry) : null,
  });
}

/** The problem code of a 401 without consuming the caller's response; RFC 6750's challenge when there is no body. */
async function problemCode(response) {
  try {
    const data = await response.clone().json();
    if (data?.code) return data.code;
  } catch {
    // Not JSON: fall back to the challenge header.
  }
  const challenge = response.headers?.get?.("WWW-Authenticate") ?? "";
  return /error="?invalid_token"?/.test(challenge) && /expired/i.test(challenge) ? "token_expired" : null;
}
