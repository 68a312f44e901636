// Test doubles for what a browser gives the client: a clock with timers, an origin's localStorage with its storage
// events, Web Locks, BroadcastChannel, and a FuncAuth server that follows the contract closely enough to catch a
// client that refreshes twice, presents a spent refresh token or sends an expired access token.

import { createClient } from "../funcauth.js";

export const API = "http://api.test";

/** Lets every pending promise callback and I/O-free task run. */
export async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A manual clock: time moves only when a test advances it, and due timers then run in order. */
export class FakeClock {
  time = 1_000_000;
  #timers = new Map();
  #next = 1;

  now = () => this.time;

  setTimeout = (fn, ms) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  /** Timers still pending (for tests that check nothing keeps running). */
  get pending() {
    return this.#timers.size;
  }

  async advance(ms) {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Web Locks: one holder per name at a time, the others queue in order. */
export class FakeLocks {
  #tails = new Map();
  held = 0;
  maxHeld = 0;

  request(name, options, callback) {
    const fn = typeof options === "function" ? options : callback;
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const run = previous.then(async () => {
      this.held++;
      this.maxHeld = Math.max(this.maxHeld, this.held);
      try {
        return await fn();
      } finally {
        this.held--;
      }
    });
    this.#tails.set(name, run.catch(() => {}));
    return run;
  }
}

/** One origin of one browser: shared storage, locks and channel hub; each tab gets its own views of them. */
export class FakeBrowser {
  items = new Map();
  locks = new FakeLocks();
  #tabs = new Set();

  openTab() {
    const browser = this;
    const tab = {
      listeners: { message: new Set(), storage: new Set() },
      storage: {
        getItem: (key) => (browser.items.has(key) ? browser.items.get(key) : null),
        setItem: (key, value) => browser.#write(tab, key, String(value)),
        removeItem: (key) => browser.#write(tab, key, null),
      },
      channel: {
        postMessage: (message) => browser.#broadcast(tab, message),
        addEventListener: (type, fn) => tab.listeners[type].add(fn),
        removeEventListener: (type, fn) => tab.listeners[type].delete(fn),
        close: () => tab.listeners.message.clear(),
      },
      events: {
        addEventListener: (type, fn) => tab.listeners[type].add(fn),
        removeEventListener: (type, fn) => tab.listeners[type].delete(fn),
      },
    };
    this.#tabs.add(tab);
    return tab;
  }

  #others(tab) {
    return [...this.#tabs].filter((t) => t !== tab);
  }

  #write(tab, key, value) {
    const oldValue = this.items.has(key) ? this.items.get(key) : null;
    if (value === null) this.items.delete(key);
    else this.items.set(key, value);
    // Like a browser: the event reaches the other tabs of the origin, later, and never the writer.
    for (const other of this.#others(tab)) {
      setImmediate(() => other.listeners.storage.forEach((fn) => fn({ key, oldValue, newValue: value })));
    }
  }

  #broadcast(tab, message) {
    const copy = structuredClone(message);
    for (const other of this.#others(tab)) {
      setImmediate(() => other.listeners.message.forEach((fn) => fn({ data: structuredClone(copy) })));
    }
  }
}

/** A FuncAuth server: rotating refresh tokens (no reuse grace, so a second rotation would show), expiring access tokens. */
export class FakeServer {
  requests = [];
  refreshCount = 0;
  lifetimeSeconds = 900;
  /** How much earlier than the client expects the server's clock says access tokens expire. */
  skewMs = 0;
  /** When set, the next refresh answers 401 with this code. */
  failRefreshWith = null;
  #clock;
  #next = 1;
  #refresh = new Map(); // refresh token -> { current: bool }
  #access = new Map(); // access token -> { expiresAt, current }
  #user = { id: "u1", email: "ann@example.com", name: "Ann", roles: ["user"], createdAt: "2026-01-01T00:00:00Z" };

  constructor(clock) {
    this.#clock = clock;
  }

  fetch = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const method = init.method ?? "GET";
    const headers = new Headers(init.headers);
    const body = init.body ? JSON.parse(init.body) : null;
    this.requests.push({ url: url.href, method, headers, body });
    // The network takes a moment: other tabs get to run meanwhile.
    await settle();
    return this.#handle(url.pathname, method, headers, body);
  };

  get accessTokens() {
    return [...this.#access.keys()];
  }

  refreshTokens() {
    return [...this.#refresh.keys()];
  }

  #tokens(status = 200) {
    for (const t of this.#refresh.values()) t.current = false;
    for (const t of this.#access.values()) t.current = false;
    const n = this.#next++;
    const refresh = `rt-${n}-secret`;
    const access = `at-${n}-secret`;
    this.#refresh.set(refresh, { current: true });
    this.#access.set(access, { expiresAt: this.#clock.now() + this.lifetimeSeconds * 1000 - this.skewMs, current: true });
    return json(status, { access_token: access, token_type: "Bearer", expires_in: this.lifetimeSeconds, refresh_token: refresh, user: this.#user });
  }

  #authorize(headers) {
    const token = (headers.get("Authorization") ?? "").replace(/^Bearer /, "");
    const entry = this.#access.get(token);
    if (!token) return problem(401, "token_missing");
    if (!entry) return problem(401, "token_invalid");
    if (entry.expiresAt <= this.#clock.now()) return problem(401, "token_expired");
    if (!entry.current) return problem(401, "token_revoked");
    return null;
  }

  #handle(path, method, headers, body) {
    switch (`${method} ${path}`) {
      case "POST /api/auth/signup":
        return this.#tokens(201);
      case "POST /api/auth/login":
        return body?.password === "right password" ? this.#tokens() : problem(401, "invalid_credentials");
      case "POST /api/auth/refresh": {
        this.refreshCount++;
        const entry = this.#refresh.get(body?.refresh_token);
        if (this.failRefreshWith) return problem(401, this.failRefreshWith);
        if (!entry) return problem(401, "refresh_token_invalid");
        if (!entry.current) {
          this.#refresh.clear();
          this.#access.clear();
          return problem(401, "refresh_token_reused");
        }
        return this.#tokens();
      }
      case "GET /api/auth/me":
        return this.#authorize(headers) ?? json(200, this.#user);
      case "POST /api/auth/logout": {
        const denied = this.#authorize(headers);
        if (denied) return denied;
        if (body?.scope !== "others") {
          this.#refresh.clear();
          this.#access.clear();
        }
        return new Response(null, { status: 204 });
      }
      case "GET /api/data":
        return this.#authorize(headers) ?? json(200, { ok: true });
      default:
        return problem(404, "not_found");
    }
  }
}

/** A tab running the client against the server, recording the auth events it saw. */
export function openClient(browser, server, clock, options = {}) {
  const tab = browser.openTab();
  const client = createClient({
    baseUrl: API,
    fetch: server.fetch,
    storage: tab.storage,
    locks: browser.locks,
    channel: tab.channel,
    storageEvents: tab.events,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...options,
  });
  const events = [];
  client.onAuthStateChange((event, session, reason) => events.push({ event, session, reason }));
  return { client, events, tab };
}

function json(status, data) {
  return new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
}

function problem(status, code) {
  const headers = { "Content-Type": "application/problem+json" };
  if (status === 401 && code.startsWith("token_")) {
    headers["WWW-Authenticate"] = `Bearer error="invalid_token", error_description="${code}"`;
  }
  return new Response(JSON.stringify({ type: "about:blank", title: code, status, detail: code, code }), { status, headers });
}
