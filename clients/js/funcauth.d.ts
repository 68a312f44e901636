// Type declarations for funcauth.js: the FuncAuth HTTP contract (v1 to v3) as seen from a browser.

export type Role = "user" | "admin" | (string & {});

export interface User {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
  createdAt: string;
  /** v2 */
  emailVerified?: boolean;
  /** v2, administrators' view only */
  disabled?: boolean;
  /** v3: the account has a second factor (TOTP). */
  mfaEnabled?: boolean;
  /** v3, `getUser()` only: when a credential was last proved in the calling session (RFC 3339). */
  authTime?: string;
  /** v3, `getUser()` only: how the calling session was proved (RFC 8176: "pwd", "otp", "hwk", "mfa"). */
  amr?: string[];
}

/** signIn's answer when the account has a second factor: no session yet; answer with `verifyMfa`. */
export interface MfaRequired {
  status: "mfa_required";
  /** What the account accepts: "totp", "recovery_code", and "passkey" when it has one. */
  methods: ("totp" | "recovery_code" | "passkey" | (string & {}))[];
  /** Single use, 5 minutes, ends after 5 wrong codes. The client keeps it for `verifyMfa` as well. */
  mfaToken: string;
  /** Seconds the mfaToken lives (300). */
  expiresIn: number | null;
}

/** A TOTP code (6 digits) or one of the recovery codes: exactly one. */
export type OneTimeCode = { code: string; recoveryCode?: never } | { recoveryCode: string; code?: never };

/** What `reauthenticate` accepts: the password, a TOTP code or a recovery code. */
export type ReauthenticationProof =
  | { password: string; code?: never; recoveryCode?: never }
  | { code: string; password?: never; recoveryCode?: never }
  | { recoveryCode: string; password?: never; code?: never };

/** GET /api/auth/mfa. */
export interface MfaStatus {
  totp: { enabled: boolean; createdAt: string | null };
  recoveryCodesLeft: number;
  passkeys: number;
}

/** A pending TOTP secret (POST /api/auth/mfa/totp): show `otpauthUri` as a QR code and `secret` to type. */
export interface TotpEnrollment {
  /** Base32, 160 bits. */
  secret: string;
  otpauthUri: string;
}

export interface RecoveryCodes {
  /** 10 codes, `xxxx-xxxx-xxxx`, each good once; shown only in this answer. */
  recoveryCodes: string[];
}

/** What the app sees of a session. The refresh token is never exposed. */
export interface Session {
  accessToken: string;
  /** Epoch milliseconds (client clock) when the access token expires. */
  expiresAt: number;
  user: User | null;
}

/** An entry of GET /api/auth/sessions. */
/** One security event of the user's trail (GET /api/auth/audit). */
export interface AuditEvent {
  id: string;
  type:
    | "signup" | "login_succeeded" | "login_failed" | "mfa_succeeded" | "mfa_failed" | "recovery_code_used"
    | "totp_enabled" | "totp_disabled" | "passkey_added" | "passkey_used" | "passkey_deleted" | "reauthenticated"
    | "refresh_token_reused" | "logout" | "force_logout" | "password_changed" | "password_reset" | "email_verified"
    | "api_key_created" | "api_key_revoked" | "roles_changed" | "user_disabled" | "user_enabled" | "mfa_reset"
    | "account_deleted";
  at: string;
  /** The user's id, an admin's id, or "system". */
  actor: string;
  userId: string;
  sessionId: string | null;
  clientAddress: string | null;
  /** null when clientAddress is a client's own; otherwise why it is not ("loopback", "private", ...). */
  clientAddressClass: string | null;
  userAgent: string | null;
  /** A label derived from userAgent, e.g. "Chrome on Windows". */
  device: string;
  details: Record<string, string>;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface DeviceSession {
  id: string;
  current: boolean;
  createdAt: string;
  lastRefreshedAt: string | null;
  /** When the session last received tokens: its login, or its last refresh. */
  lastUsedAt: string;
  expiresAt: string;
  /** The User-Agent of the login that opened it, at most 256 characters. */
  userAgent: string | null;
  /** A label derived from userAgent, e.g. "Chrome on Windows", "curl", "Unknown device". */
  device: string;
}

export interface ApiKey {
  id: string;
  name: string;
  scope: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** Shown only in the answer to its creation. */
  key: string;
}

export type AuthChangeEvent = "INITIAL_SESSION" | "SIGNED_IN" | "SIGNED_OUT" | "TOKEN_REFRESHED" | "USER_UPDATED";

/** Why a session ended when the server ended it (`refresh_token_reused`, ...); null for a deliberate sign-out. */
export type SignOutReason = "refresh_token_reused" | "refresh_token_invalid" | "refresh_token_expired" | null;

export type SignOutScope = "local" | "global" | "others";

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LockManagerLike {
  request<T>(name: string, options: { mode?: "exclusive" | "shared" }, callback: () => Promise<T> | T): Promise<T>;
}

export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close?(): void;
}

export interface StorageEventTarget {
  addEventListener(type: "storage", listener: (event: { key: string | null }) => void): void;
  removeEventListener(type: "storage", listener: (event: { key: string | null }) => void): void;
}

export interface ClientOptions {
  /** FuncAuth's base URL, e.g. "http://localhost:7071" (no trailing slash needed). Empty: same origin. */
  baseUrl?: string;
  /** Origins besides FuncAuth's to which `client.fetch` attaches the access token (your own APIs). */
  tokenOrigins?: string[];
  /** Prefix of the storage key, the lock name and the channel name (default "funcauth"). */
  storageKey?: string;
  /** Refresh this long before expiry at most (default 60 000 ms; never more than a quarter of the lifetime). */
  refreshMarginMs?: number;
  fetch?: typeof fetch;
  /** Where the refresh token is kept (default localStorage, shared by the tabs); null keeps nothing. */
  storage?: StorageLike | null;
  /** Default navigator.locks; null serialises refreshes within this tab only. */
  locks?: LockManagerLike | null;
  /** Default new BroadcastChannel(storageKey). */
  channel?: ChannelLike | null;
  /** Where "storage" events arrive (default window). */
  storageEvents?: StorageEventTarget | null;
  now?: () => number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** WebAuthn: defaults to `navigator.credentials` and the global `PublicKeyCredential`. */
  credentials?: CredentialsContainer | null;
  PublicKeyCredential?: typeof PublicKeyCredential | null;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface SignUpInput {
  email: string;
  password: string;
  /** Defaults to `password`. */
  passwordConfirmation?: string;
  name?: string;
}

export type SignUpResult =
  | { status: "signed_in"; session: Session }
  | { status: "verification_sent"; session: null };

export interface ProblemFields {
  status: number;
  code: string | null;
  title: string | null;
  detail: string | null;
  errors: Record<string, string[]> | null;
  retryAfter: number | null;
}

/** An error answer of the API, or status 0 with code "network_error" when the server could not be reached. */
export class FuncAuthError extends Error implements ProblemFields {
  constructor(fields: Partial<ProblemFields> & { status: number });
  status: number;
  code: string | null;
  title: string | null;
  detail: string | null;
  errors: Record<string, string[]> | null;
  retryAfter: number | null;
}

export class FuncAuthClient {
  constructor(options?: ClientOptions);

  /** Restores the session of an earlier visit (one refresh shared by all tabs) and emits INITIAL_SESSION. */
  initialize(): Promise<Session | null>;
  readonly session: Session | null;
  readonly user: User | null;
  onAuthStateChange(callback: (event: AuthChangeEvent, session: Session | null, reason: SignOutReason) => void): () => void;
  /** A valid access token (refreshed first when due), or null when signed out. */
  getAccessToken(): Promise<string | null>;
  close(): void;

  signUp(input: SignUpInput): Promise<SignUpResult>;
  /** A session, or `{ status: "mfa_required", ... }` when the account has a second factor (then call `verifyMfa`). */
  signIn(credentials: { email: string; password: string }): Promise<Session | MfaRequired>;
  /** Answers `mfa_required` (the token of the last `signIn` unless `mfaToken` is given) and opens the session. */
  verifyMfa(input: OneTimeCode & { mfaToken?: string }): Promise<Session>;
  /** One refresh across all tabs; without force, returns the current session when it is not yet due. */
  refresh(options?: { force?: boolean }): Promise<Session | null>;
  signOut(scope?: SignOutScope): Promise<void>;
  getUser(): Promise<User>;

  updateProfile(changes: { name: string }): Promise<User>;
  listSessions(): Promise<DeviceSession[]>;
  listAuditEvents(page?: { limit?: number; cursor?: string | null }): Promise<AuditPage>;
  endSession(sessionId: string): Promise<void>;
  changePassword(input: { currentPassword: string; password: string; passwordConfirmation?: string }): Promise<void>;
  forgotPassword(email: string): Promise<void>;
  resetPassword(input: { token: string; password: string; passwordConfirmation?: string }): Promise<void>;
  verifyEmail(token: string): Promise<void>;
  resendVerification(email: string): Promise<void>;
  deleteAccount(password: string): Promise<void>;

  readonly apiKeys: {
    create(input: { name: string; expiresInDays?: number; scope?: string }): Promise<CreatedApiKey>;
    list(): Promise<ApiKey[]>;
    delete(id: string): Promise<void>;
  };

  /** Proves the user again in this session (same session, new tokens, `auth_time` now), after `reauthentication_required`. */
  reauthenticate(proof: ReauthenticationProof): Promise<Session>;

  /** The signed-in user's second factors. */
  readonly mfa: {
    status(): Promise<MfaStatus>;
    /** Needs a recent sign-in; asking again replaces the pending secret. */
    enrollTotp(): Promise<TotpEnrollment>;
    /** Turns TOTP on; the recovery codes are shown only here. */
    confirmTotp(code: string): Promise<RecoveryCodes>;
    /** Needs a recent proof with a code. */
    disableTotp(): Promise<void>;
    /** Needs a recent proof with a code; the old codes end. */
    regenerateRecoveryCodes(): Promise<RecoveryCodes>;
  };

  /** Whether the browser has WebAuthn (`navigator.credentials` and `PublicKeyCredential`). */
  readonly passkeysSupported: boolean;
  /** Adds a passkey to the signed-in account (needs a recent sign-in). */
  registerPasskey(name?: string): Promise<Passkey>;
  /** Signs in with a passkey; `mediation: "conditional"` offers passkeys in the username field's autofill. */
  signInWithPasskey(options?: { mediation?: CredentialMediationRequirement; signal?: AbortSignal }): Promise<Session>;
  /** Steps the current session up with a passkey (new tokens, same session, amr with hwk and mfa). */
  reauthenticateWithPasskey(): Promise<Session>;
  conditionalPasskeysAvailable(): Promise<boolean>;
  listPasskeys(): Promise<Passkey[]>;
  deletePasskey(id: string): Promise<void>;

  readonly admin: {
    getUser(userId: string): Promise<User>;
    findByEmail(email: string): Promise<User[]>;
    forceLogout(userId: string): Promise<void>;
    setRoles(userId: string, roles: Role[]): Promise<User>;
    disable(userId: string): Promise<User>;
    enable(userId: string): Promise<User>;
    listApiKeys(userId: string): Promise<ApiKey[]>;
    deleteApiKey(userId: string, keyId: string): Promise<void>;
  };

  /**
   * fetch() with the access token attached (FuncAuth's origin and `tokenOrigins` only); on 401 token_expired or
   * token_revoked it refreshes once and retries once.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
}

export function createClient(options?: ClientOptions): FuncAuthClient;

/** WebAuthn's base64url encoding of binary fields. */
export function toBase64Url(buffer: ArrayBuffer | ArrayBufferView): string;
export function fromBase64Url(text: string): ArrayBuffer;
