import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { API, FakeBrowser, FakeClock, FakeServer, openClient, settle } from "./fakes.js";
import { FuncAuthError } from "../funcauth.js";

const SECOND = 1000;

function world({ lifetimeSeconds = 900 } = {}) {
  const clock = new FakeClock();
  const server = new FakeServer(clock);
  server.lifetimeSeconds = lifetimeSeconds;
  const browser = new FakeBrowser();
  const tabs = [];
  const open = (options) => {
    const tab = openClient(browser, server, clock, options);
    tabs.push(tab);
    return tab;
  };
  const close = () => tabs.forEach((t) => t.client.close());
  return { clock, server, browser, open, close };
}

async function signedIn(w) {
  const a = w.open();
  await a.client.signIn({ email: "ann@example.com", password: "right password" });
  return a;
}

describe("refresh timing", () => {
  test("a 15-minute token is refreshed one minute before it expires, not earlier", async () => {
    const w = world({ lifetimeSeconds: 900 });
    await signedIn(w);

    await w.clock.advance(839 * SECOND);
    assert.equal(w.server.refreshCount, 0);
    await w.clock.advance(1 * SECOND);
    assert.equal(w.server.refreshCount, 1);
    w.close();
  });

  test("a short-lived token is refreshed a quarter of its lifetime ahead, and again after each rotation", async () => {
    const w = world({ lifetimeSeconds: 8 });
    const a = await signedIn(w);

    await w.clock.advance(5.9 * SECOND);
    assert.equal(w.server.refreshCount, 0);
    await w.clock.advance(0.1 * SECOND);
    assert.equal(w.server.refreshCount, 1);
    await w.clock.advance(6 * SECOND);
    assert.equal(w.server.refreshCount, 2);

    // The token in hand is never past its expiry when the app asks for it.
    const token = await a.client.getAccessToken();
    assert.equal((await w.server.fetch(`${API}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    w.close();
  });

  test("a tab whose timer was held back (background throttling) refreshes before using an expired token", async () => {
    const w = world({ lifetimeSeconds: 60 });
    const a = w.open({ setTimeout: () => 0, clearTimeout: () => {} }); // timers never fire
    await a.client.signIn({ email: "ann@example.com", password: "right password" });

    await w.clock.advance(61 * SECOND);
    assert.equal(w.server.refreshCount, 0);
    const user = await a.client.getUser();

    assert.equal(user.email, "ann@example.com");
    assert.equal(w.server.refreshCount, 1);
    assert.equal(w.server.requests.filter((r) => r.url.endsWith("/api/auth/me")).length, 1, "no request with the expired token");
    w.close();
  });
});

describe("one refresh across tabs", () => {
  test("two tabs whose tokens fall due together make exactly one refresh request and both get the new tokens", async () => {
    const w = world({ lifetimeSeconds: 8 });
    const a = await signedIn(w);
    const b = w.open();
    await b.client.initialize(); // the second tab restores the shared session (one refresh)
    await settle();
    assert.equal(w.server.refreshCount, 1);
    assert.equal(a.client.session.accessToken, b.client.session.accessToken, "the first tab took the second tab's tokens");

    await w.clock.advance(6 * SECOND);

    assert.equal(w.server.refreshCount, 2, "one refresh for both tabs");
    assert.equal(w.browser.locks.maxHeld, 1);
    assert.equal(a.client.session.accessToken, b.client.session.accessToken);
    assert.ok(a.events.some((e) => e.event === "TOKEN_REFRESHED"));
    assert.ok(b.events.some((e) => e.event === "TOKEN_REFRESHED"));
    // Both use the current token: the server would refuse the superseded one.
    await a.client.getUser();
    await b.client.getUser();
    assert.equal(w.server.refreshCount, 2);
    w.close();
  });

  test("tabs that all restore the session at once (a browser restart) share one refresh", async () => {
    const w = world();
    const first = await signedIn(w);
    first.client.close();
    const tabs = [w.open(), w.open(), w.open()];

    const sessions = await Promise.all(tabs.map((t) => t.client.initialize()));

    assert.equal(w.server.refreshCount, 1);
    assert.ok(sessions.every((s) => s && s.accessToken === sessions[0].accessToken));
    w.close();
  });

  test("a tab that waited for the lock and finds the token rotated takes the broadcast instead of refreshing", async () => {
    const w = world();
    const a = await signedIn(w);
    const b = w.open();
    await b.client.initialize();
    await settle();
    const before = w.server.refreshCount;

    // Both tabs were told their token is no good at the same moment (say, a role change).
    const [fromA, fromB] = await Promise.all([a.client.refresh({ force: true }), b.client.refresh({ force: true })]);

    assert.equal(w.server.refreshCount - before, 1);
    assert.equal(fromA.accessToken, fromB.accessToken);
    assert.equal(b.client.session.accessToken, a.client.session.accessToken);
    w.close();
  });

  test("without a lock manager refreshes in one tab are still serialised", async () => {
    const w = world({ lifetimeSeconds: 8 });
    const a = w.open({ locks: null });
    await a.client.signIn({ email: "ann@example.com", password: "right password" });
    await w.clock.advance(7 * SECOND);
    w.server.requests.length = 0;

    await Promise.all([a.client.getUser(), a.client.getUser(), a.client.getAccessToken()]);

    assert.equal(w.server.requests.filter((r) => r.url.endsWith("/refresh")).length, 0, "the timer already refreshed");
    assert.equal(w.server.refreshCount, 1);
    w.close();
  });
});

describe("a session the server ended", () => {
  for (const code of ["refresh_token_reused", "refresh_token_invalid"]) {
    test(`${code} signs out every tab and forgets the refresh token`, async () => {
      const w = world({ lifetimeSeconds: 8 });
      const a = await signedIn(w);
      const b = w.open();
      await b.client.initialize();
      await settle();
      w.server.failRefreshWith = code;

      await w.clock.advance(6 * SECOND);
      await settle();

      assert.equal(a.client.session, null);
      assert.equal(b.client.session, null);
      assert.equal(a.tab.storage.getItem("funcauth.refresh_token"), null);
      for (const tab of [a, b]) {
        const out = tab.events.find((e) => e.event === "SIGNED_OUT");
        assert.ok(out, "SIGNED_OUT emitted");
        assert.equal(out.session, null);
      }
      assert.ok([a, b].some((t) => t.events.some((e) => e.reason === code)), "the reason reaches the app");
      await assert.rejects(a.client.getUser(), (e) => e instanceof FuncAuthError && e.code === "token_missing");
      w.close();
    });
  }

  test("a stolen, already rotated refresh token in use elsewhere ends the session here too", async () => {
    const w = world({ lifetimeSeconds: 8 });
    const a = await signedIn(w);
    // An attacker rotated the token first; our presentation of the spent one is reuse.
    await w.server.fetch(`${API}/api/auth/refresh`, { method: "POST", body: JSON.stringify({ refresh_token: a.tab.storage.getItem("funcauth.refresh_token") }) });

    await w.clock.advance(6 * SECOND);

    assert.equal(a.client.session, null);
    assert.equal(a.events.at(-1).reason, "refresh_token_reused");
    w.close();
  });

  test("signing out in one tab signs out the others", async () => {
    const w = world();
    const a = await signedIn(w);
    const b = w.open();
    await b.client.initialize();
    await settle();

    await a.client.signOut();
    await settle();

    assert.equal(b.client.session, null);
    assert.equal(b.events.at(-1).event, "SIGNED_OUT");
    assert.equal(w.server.requests.at(-1).body.scope, "local");
    w.close();
  });

  test("the other tabs are signed out before the server has answered the sign-out", async () => {
    const w = world();
    const a = await signedIn(w);
    const b = w.open();
    await b.client.initialize();
    await settle();
    let logoutSent = false;
    const slow = w.open({
      fetch: (input, init) => {
        if (String(input).endsWith("/api/auth/logout")) {
          logoutSent = true;
          return new Promise(() => {}); // never answers
        }
        return w.server.fetch(input, init);
      },
    });
    await slow.client.initialize();
    await settle();

    slow.client.signOut();
    await settle();

    assert.ok(logoutSent);
    assert.equal(a.client.session, null);
    assert.equal(b.client.session, null);
    assert.equal(slow.client.session, null);
    w.close();
  });

  test("signing out the other devices keeps this browser signed in", async () => {
    const w = world();
    const a = await signedIn(w);

    await a.client.signOut("others");

    assert.notEqual(a.client.session, null);
    assert.equal(w.server.requests.at(-1).body.scope, "others");
    w.close();
  });

  test("a tab without BroadcastChannel still learns of the sign-out from the storage event", async () => {
    const w = world();
    const a = w.open({ channel: null });
    await a.client.signIn({ email: "ann@example.com", password: "right password" });
    const b = w.open({ channel: null });
    await b.client.initialize();
    await settle();

    await a.client.signOut("global");
    await settle();

    assert.equal(b.client.session, null);
    w.close();
  });
});

describe("fetch wrapper", () => {
  test("attaches the access token to FuncAuth's origin and configured origins, never to others", async () => {
    const w = world();
    const seen = [];
    const a = w.open({
      tokenOrigins: ["https://my-api.test"],
      fetch: async (input, init) => {
        seen.push({ url: String(input), auth: new Headers(init?.headers).get("Authorization") });
        return w.server.fetch(String(input).replace("https://my-api.test", API).replace("https://other.test", API), init);
      },
    });
    await a.client.signIn({ email: "ann@example.com", password: "right password" });
    const token = a.client.session.accessToken;

    await a.client.fetch(`${API}/api/data`);
    await a.client.fetch("https://my-api.test/api/data");
    await a.client.fetch("https://other.test/api/data");

    assert.deepEqual(seen.slice(-3).map((s) => s.auth), [`Bearer ${token}`, `Bearer ${token}`, null]);
    w.close();
  });

  test("refreshes once on token_expired and retries with the new token", async () => {
    const w = world({ lifetimeSeconds: 60 });
    const a = w.open({ setTimeout: () => 0, clearTimeout: () => {}, refreshMarginMs: 0 });
    // The server's clock runs a little ahead: the token expires there before the client expects it.
    w.server.skewMs = 50;
    await a.client.signIn({ email: "ann@example.com", password: "right password" });
    const old = a.client.session.accessToken;
    await w.clock.advance(60 * SECOND - 10);

    const response = await a.client.fetch(`${API}/api/data`, { headers: { "X-Trace": "1" } });

    assert.equal(response.status, 200);
    const calls = w.server.requests.filter((r) => r.url.endsWith("/api/data"));
    assert.equal(calls.length, 2);
    assert.equal(calls[0].headers.get("Authorization"), `Bearer ${old}`);
    assert.notEqual(calls[1].headers.get("Authorization"), `Bearer ${old}`);
    assert.equal(calls[1].headers.get("X-Trace"), "1", "the caller's headers survive the retry");
    assert.equal(w.server.refreshCount, 1);
    w.close();
  });

  test("does not refresh twice when the retry is refused as well", async () => {
    const w = world();
    const a = await signedIn(w);
    let dataCalls = 0;
    const expired = () => new Response(JSON.stringify({ status: 401, code: "token_expired" }), { status: 401, headers: { "Content-Type": "application/problem+json" } });
    const b = w.open({
      fetch: (input, init) => (String(input).endsWith("/api/data") ? (dataCalls++, Promise.resolve(expired())) : w.server.fetch(input, init)),
    });
    await b.client.initialize();
    const before = w.server.refreshCount;

    const response = await b.client.fetch(`${API}/api/data`);

    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, "token_expired", "the caller still gets the body");
    assert.equal(dataCalls, 2);
    assert.equal(w.server.refreshCount - before, 1);
    a.client.close();
    w.close();
  });

  test("many requests refused at once share one refresh", async () => {
    const w = world({ lifetimeSeconds: 60 });
    const a = w.open({ setTimeout: () => 0, clearTimeout: () => {}, refreshMarginMs: 0 });
    w.server.skewMs = 50;
    await a.client.signIn({ email: "ann@example.com", password: "right password" });
    await w.clock.advance(60 * SECOND - 10);

    const responses = await Promise.all(Array.from({ length: 5 }, () => a.client.fetch(`${API}/api/data`)));

    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
    assert.equal(w.server.refreshCount, 1);
    w.close();
  });

  test("other 401s are handed back without a refresh", async () => {
    const w = world();
    const a = await signedIn(w);
    const response = await a.client.fetch(`${API}/api/auth/me`, { headers: { Authorization: "ignored" } });
    assert.equal(response.status, 200);

    const plain = await a.client.fetch(`${API}/api/data`, { headers: {} });
    assert.equal(plain.status, 200);
    assert.equal(w.server.refreshCount, 0);
    w.close();
  });
});

describe("hygiene", () => {
  test("no token appears in a URL or on the console", async () => {
    const w = world({ lifetimeSeconds: 8 });
    const logged = [];
    const originals = {};
    for (const level of ["log", "info", "warn", "error", "debug"]) {
      originals[level] = console[level];
      console[level] = (...args) => logged.push(args.map(String).join(" "));
    }
    try {
      const a = await signedIn(w);
      const b = w.open();
      await b.client.initialize();
      await w.clock.advance(20 * SECOND);
      await a.client.getUser();
      await a.client.fetch(`${API}/api/data`);
      w.server.failRefreshWith = "refresh_token_reused";
      await w.clock.advance(20 * SECOND);
      await a.client.signOut().catch(() => {});
    } finally {
      Object.assign(console, originals);
    }
    const secrets = [...w.server.accessTokens, ...w.server.refreshTokens(), "secret"];
    assert.ok(w.server.requests.length > 5);
    for (const request of w.server.requests) {
      assert.ok(!secrets.some((s) => request.url.includes(s)), `token in URL ${request.url}`);
    }
    assert.deepEqual(logged, []);
    w.close();
  });

  test("errors carry the problem's code and field errors, never a token", async () => {
    const w = world();
    const a = w.open();
    const error = await a.client.signIn({ email: "ann@example.com", password: "wrong" }).catch((e) => e);
    assert.ok(error instanceof FuncAuthError);
    assert.equal(error.status, 401);
    assert.equal(error.code, "invalid_credentials");
    assert.equal(a.client.session, null);
    w.close();
  });

  test("a sign-up that needs verification first returns no session", async () => {
    const w = world();
    const a = w.open({
      fetch: async () => new Response(JSON.stringify({ status: "verification_sent" }), { status: 202, headers: { "Content-Type": "application/json" } }),
    });
    const result = await a.client.signUp({ email: "ann@example.com", password: "long enough password" });
    assert.deepEqual(result, { status: "verification_sent", session: null });
    assert.equal(a.client.session, null);
    w.close();
  });

  test("close stops the refresh timer", async () => {
    const w = world();
    const a = await signedIn(w);
    assert.equal(w.clock.pending, 1);
    a.client.close();
    assert.equal(w.clock.pending, 0);
  });
});
