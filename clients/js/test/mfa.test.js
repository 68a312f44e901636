import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createClient, FuncAuthError } from "../funcauth.js";

const API = "http://api.test";
const accessToken = (lifetime = 900) =>
  ["e30", btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + lifetime, sid: "s1" })).replace(/=+$/, ""), "sig"].join(".");
const tokens = (refresh) => ({ access_token: accessToken(), token_type: "Bearer", expires_in: 900, refresh_token: refresh, user: { id: "u1", email: "ann@example.com", mfaEnabled: true } });

/**
 * A server for the second-factor routes: login answers mfa_required, verify takes "123456" or the recovery code
 * "aaaa-bbbb-cccc" and ends the token after `codesBeforeDeath` wrong codes. `answers` overrides a route.
 */
function mfaServer({ answers = {}, codesBeforeDeath = 5 } = {}) {
  const sent = [];
  let wrong = 0;
  const json = (status, data) => new Response(data === null ? null : JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
  const problem = (status, code) => json(status, { type: "about:blank", title: code, status, code });
  const fetch = async (url, init) => {
    const path = new URL(url).pathname;
    const body = init?.body ? JSON.parse(init.body) : null;
    sent.push({ path, method: init?.method, body, authorization: init?.headers?.Authorization ?? null });
    const key = `${init?.method} ${path}`;
    if (answers[key]) return answers[key](body);
    switch (key) {
      case "POST /api/auth/login":
        if (body.password !== "right") return problem(401, "invalid_credentials");
        return json(403, { type: "about:blank", title: "A second factor is required", status: 403, code: "mfa_required", mfaToken: "m1", expiresIn: 300, methods: ["totp", "recovery_code"] });
      case "POST /api/auth/mfa/verify":
        if (body.mfaToken !== "m1" || wrong >= codesBeforeDeath) return problem(401, "mfa_token_invalid");
        if (body.code === "123456" || body.recoveryCode === "aaaa-bbbb-cccc") return json(200, tokens("r1"));
        wrong++;
        return problem(401, "mfa_code_invalid");
      case "POST /api/auth/reauthenticate":
        return json(200, tokens("r2"));
      case "GET /api/auth/mfa":
        return json(200, { totp: { enabled: false, createdAt: null }, recoveryCodesLeft: 0, passkeys: 0 });
      case "POST /api/auth/mfa/totp":
        return json(200, { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauthUri: "otpauth://totp/FuncAuth:ann%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=FuncAuth&algorithm=SHA1&digits=6&period=30" });
      case "POST /api/auth/mfa/totp/confirm":
        return body.code === "123456" ? json(200, { recoveryCodes: Array.from({ length: 10 }, (_, i) => `code-${i}`) }) : problem(400, "mfa_code_invalid");
      case "DELETE /api/auth/mfa/totp":
        return json(204, null);
      case "POST /api/auth/mfa/recovery-codes":
        return json(200, { recoveryCodes: ["new-0"] });
      default:
        return problem(404, "not_found");
    }
  };
  return { fetch, sent };
}

function client(server, storage = null) {
  return createClient({ baseUrl: API, fetch: server.fetch, storage, locks: null, channel: null, storageEvents: null });
}

function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
}

async function signedInWithCode(server) {
  const c = client(server);
  await c.signIn({ email: "ann@example.com", password: "right" });
  await c.verifyMfa({ code: "123456" });
  return c;
}

describe("second factor at sign-in", () => {
  test("signIn answers mfa_required with the methods and the token, and opens no session", async () => {
    const storage = memoryStorage();
    const c = client(mfaServer(), storage);
    const events = [];
    c.onAuthStateChange((event) => events.push(event));

    const result = await c.signIn({ email: "ann@example.com", password: "right" });

    assert.deepEqual(result, { status: "mfa_required", methods: ["totp", "recovery_code"], mfaToken: "m1", expiresIn: 300 });
    assert.equal(c.session, null);
    assert.equal(storage.map.size, 0, "nothing is stored before the second factor");
    assert.deepEqual(events, []);
    c.close();
  });

  test("verifyMfa with a code sends the remembered token and opens the session", async () => {
    const server = mfaServer();
    const storage = memoryStorage();
    const c = client(server, storage);
    const events = [];
    c.onAuthStateChange((event) => events.push(event));
    await c.signIn({ email: "ann@example.com", password: "right" });

    const session = await c.verifyMfa({ code: "123456" });

    assert.equal(session.user.email, "ann@example.com");
    assert.equal(c.session.accessToken, session.accessToken);
    assert.equal(storage.map.get("funcauth.refresh_token"), "r1");
    assert.deepEqual(server.sent.at(-1).body, { mfaToken: "m1", code: "123456" });
    assert.deepEqual(events, ["SIGNED_IN"]);
    c.close();
  });

  test("verifyMfa with a recovery code sends recoveryCode, not code", async () => {
    const server = mfaServer();
    const c = client(server);
    await c.signIn({ email: "ann@example.com", password: "right" });

    await c.verifyMfa({ recoveryCode: "aaaa-bbbb-cccc" });

    assert.deepEqual(server.sent.at(-1).body, { mfaToken: "m1", recoveryCode: "aaaa-bbbb-cccc" });
    assert.ok(c.session);
    c.close();
  });

  test("a wrong code can be retried with the same token; a dead token must be signed in again", async () => {
    const server = mfaServer({ codesBeforeDeath: 1 });
    const c = client(server);
    await c.signIn({ email: "ann@example.com", password: "right" });

    const wrong = await c.verifyMfa({ code: "000000" }).catch((e) => e);
    assert.ok(wrong instanceof FuncAuthError);
    assert.equal(wrong.code, "mfa_code_invalid");
    const dead = await c.verifyMfa({ code: "123456" }).catch((e) => e);
    assert.equal(dead.code, "mfa_token_invalid");
    const afterDeath = await c.verifyMfa({ code: "123456" }).catch((e) => e);

    assert.equal(afterDeath.code, "mfa_token_invalid");
    assert.equal(server.sent.filter((s) => s.path === "/api/auth/mfa/verify").length, 2, "the dead token is not sent again");
    assert.equal(c.session, null);
    c.close();
  });

  test("an explicit mfaToken is used when given (another tab, or an app that kept it)", async () => {
    const server = mfaServer();
    const c = client(server);

    await c.verifyMfa({ mfaToken: "m1", code: "123456" });

    assert.equal(server.sent[0].body.mfaToken, "m1");
    c.close();
  });

  test("verifyMfa wants exactly one of code and recoveryCode", async () => {
    const c = client(mfaServer());
    await c.signIn({ email: "ann@example.com", password: "right" });
    await assert.rejects(c.verifyMfa({}), TypeError);
    await assert.rejects(c.verifyMfa({ code: "123456", recoveryCode: "aaaa-bbbb-cccc" }), TypeError);
    c.close();
  });

  test("a wrong password is still an error, not an mfa_required result", async () => {
    const c = client(mfaServer());
    const error = await c.signIn({ email: "ann@example.com", password: "wrong" }).catch((e) => e);
    assert.ok(error instanceof FuncAuthError);
    assert.equal(error.code, "invalid_credentials");
    c.close();
  });

  test("another 403 problem is still thrown", async () => {
    const server = mfaServer({ answers: { "POST /api/auth/login": () => new Response(JSON.stringify({ status: 403, code: "account_disabled" }), { status: 403 }) } });
    const c = client(server);
    const error = await c.signIn({ email: "ann@example.com", password: "right" }).catch((e) => e);
    assert.equal(error.code, "account_disabled");
    c.close();
  });
});

describe("re-authentication", () => {
  for (const proof of [{ password: "right" }, { code: "123456" }, { recoveryCode: "aaaa-bbbb-cccc" }]) {
    test(`reauthenticate(${Object.keys(proof)[0]}) sends it with the access token and keeps the new tokens`, async () => {
      const server = mfaServer();
      const c = await signedInWithCode(server);
      const events = [];
      c.onAuthStateChange((event) => events.push(event));

      await c.reauthenticate(proof);

      const reauth = server.sent.at(-1);
      assert.equal(reauth.path, "/api/auth/reauthenticate");
      assert.match(reauth.authorization, /^Bearer /);
      assert.deepEqual(reauth.body, proof);
      assert.deepEqual(events, ["TOKEN_REFRESHED"]);
      c.close();
    });
  }

  test("reauthenticate wants exactly one proof", async () => {
    const c = await signedInWithCode(mfaServer());
    await assert.rejects(c.reauthenticate({}), TypeError);
    await assert.rejects(c.reauthenticate({ password: "right", code: "123456" }), TypeError);
    c.close();
  });

  test("reauthentication_required reaches the app as its code, so it can ask for a proof", async () => {
    const server = mfaServer({
      answers: { "DELETE /api/auth/mfa/totp": () => new Response(JSON.stringify({ status: 403, code: "reauthentication_required" }), { status: 403 }) },
    });
    const c = await signedInWithCode(server);
    const error = await c.mfa.disableTotp().catch((e) => e);
    assert.equal(error.status, 403);
    assert.equal(error.code, "reauthentication_required");
    c.close();
  });
});

describe("TOTP management", () => {
  test("status, enrol, confirm, regenerate and disable call their routes with the access token", async () => {
    const server = mfaServer();
    const c = await signedInWithCode(server);
    const users = [];
    c.onAuthStateChange((event, session) => { if (event === "USER_UPDATED") users.push(session.user.mfaEnabled); });

    assert.equal((await c.mfa.status()).totp.enabled, false);
    const enrollment = await c.mfa.enrollTotp();
    assert.match(enrollment.otpauthUri, /^otpauth:\/\/totp\//);
    assert.equal(enrollment.secret.length, 32);
    const confirmed = await c.mfa.confirmTotp("123456");
    assert.equal(confirmed.recoveryCodes.length, 10);
    assert.deepEqual((await c.mfa.regenerateRecoveryCodes()).recoveryCodes, ["new-0"]);
    assert.equal(await c.mfa.disableTotp(), undefined);

    const calls = server.sent.slice(2).map((s) => `${s.method} ${s.path}`);
    assert.deepEqual(calls, [
      "GET /api/auth/mfa", "POST /api/auth/mfa/totp", "POST /api/auth/mfa/totp/confirm", "POST /api/auth/mfa/recovery-codes", "DELETE /api/auth/mfa/totp",
    ]);
    assert.ok(server.sent.slice(2).every((s) => /^Bearer /.test(s.authorization)));
    assert.deepEqual(server.sent[4].body, { code: "123456" });
    assert.deepEqual(users, [true, false], "the user's mfaEnabled follows confirm and disable");
    c.close();
  });

  test("a wrong confirmation code is a 400 mfa_code_invalid error", async () => {
    const c = await signedInWithCode(mfaServer());
    const error = await c.mfa.confirmTotp("000000").catch((e) => e);
    assert.equal(error.status, 400);
    assert.equal(error.code, "mfa_code_invalid");
    c.close();
  });
});
