import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createClient, fromBase64Url, toBase64Url, FuncAuthError } from "../funcauth.js";

const API = "http://api.test";
const bytes = (...values) => new Uint8Array(values).buffer;
const accessToken = (lifetime = 900) =>
  ["e30", btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + lifetime, sid: "s1" })).replace(/=+$/, ""), "sig"].join(".");

/** A server that answers the passkey routes and records what it was sent. */
function passkeyServer() {
  const sent = [];
  const fetch = async (url, init) => {
    const path = new URL(url).pathname;
    const body = init?.body ? JSON.parse(init.body) : null;
    sent.push({ path, body, authorization: init?.headers?.Authorization ?? init?.headers?.authorization ?? null });
    const json = (status, data) => new Response(data === null ? null : JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
    switch (path) {
      case "/api/auth/passkeys/login/options":
        return json(200, { challenge: "AQID", rpId: "app.test", allowCredentials: [], userVerification: "required", timeout: 300000, challengeId: "AQID" });
      case "/api/auth/passkeys/login":
        return json(200, { access_token: accessToken(), token_type: "Bearer", expires_in: 900, refresh_token: "r1", user: { id: "u1", email: "ann@example.com" } });
      case "/api/auth/passkeys/register/options":
        return json(200, { rp: { id: "app.test", name: "FuncAuth" }, user: { id: "BAUG", name: "ann@example.com", displayName: "Ann" }, challenge: "BwgJ",
          pubKeyCredParams: [{ type: "public-key", alg: -7 }], excludeCredentials: [{ type: "public-key", id: "CgsM" }] });
      case "/api/auth/passkeys/options":
        return json(200, { challenge: "DQ4P", rpId: "app.test", allowCredentials: [{ type: "public-key", id: "AQ" }], userVerification: "required" });
      case "/api/auth/reauthenticate":
        return json(200, { access_token: accessToken(), token_type: "Bearer", expires_in: 900, refresh_token: "r2", user: { id: "u1", email: "ann@example.com" } });
      case "/api/auth/passkeys/register":
        return json(201, { id: "p1", name: body.name ?? "Passkey", createdAt: "2026-12-07T00:00:00Z", lastUsedAt: null });
      default:
        return json(404, { code: "not_found" });
    }
  };
  return { fetch, sent };
}

/** navigator.credentials of a browser without the Level 3 JSON helpers: buffers in, buffers out. */
function legacyCredentials(seen) {
  const response = {
    clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3), userHandle: bytes(4), attestationObject: undefined,
  };
  return {
    get: async (request) => {
      seen.push(request);
      return { id: "AQ", rawId: bytes(1), type: "public-key", authenticatorAttachment: "platform", getClientExtensionResults: () => ({}), response };
    },
    create: async (request) => {
      seen.push(request);
      return {
        id: "AQ", rawId: bytes(1), type: "public-key", getClientExtensionResults: () => ({}),
        response: { clientDataJSON: bytes(5), attestationObject: bytes(6), getTransports: () => ["internal"] },
      };
    },
  };
}

function client(server, credentials, PublicKeyCredential = function LegacyPublicKeyCredential() {}) {
  return createClient({ baseUrl: API, fetch: server.fetch, storage: null, locks: null, channel: null, storageEvents: null, credentials, PublicKeyCredential });
}

describe("passkeys", () => {
  test("base64url round-trips binary fields without padding", () => {
    assert.equal(toBase64Url(bytes(251, 255, 0)), "-_8A");
    assert.deepEqual(new Uint8Array(fromBase64Url("-_8A")), new Uint8Array([251, 255, 0]));
  });

  test("signing in with a passkey converts the options for a browser without parseRequestOptionsFromJSON and opens a session", async () => {
    const server = passkeyServer();
    const seen = [];
    const c = client(server, legacyCredentials(seen));

    const session = await c.signInWithPasskey({ mediation: "conditional" });

    assert.equal(session.user.email, "ann@example.com");
    assert.equal(seen[0].mediation, "conditional");
    assert.ok(seen[0].publicKey.challenge instanceof ArrayBuffer);
    assert.equal(seen[0].publicKey.challengeId, undefined);
    const login = server.sent.find((s) => s.path === "/api/auth/passkeys/login");
    assert.equal(login.body.challengeId, "AQID");
    assert.deepEqual(login.body.credential.response, { clientDataJSON: "AQ", authenticatorData: "Ag", signature: "Aw", userHandle: "BA" });
    assert.equal(login.body.credential.rawId, "AQ");
    c.close();
  });

  test("the browser's own JSON helpers are used when it has them", async () => {
    const server = passkeyServer();
    const parsed = [];
    const P = { parseRequestOptionsFromJSON: (json) => { parsed.push(json); return { parsed: true }; } };
    const credentials = { get: async (request) => ({ toJSON: () => ({ id: "AQ", from: "toJSON", request }) }) };
    const c = client(server, credentials, P);

    await c.signInWithPasskey();

    assert.equal(parsed[0].challengeId, undefined);
    const login = server.sent.find((s) => s.path === "/api/auth/passkeys/login");
    assert.equal(login.body.credential.from, "toJSON");
    assert.deepEqual(login.body.credential.request, { publicKey: { parsed: true } });
    c.close();
  });

  test("registering sends the attestation with its transports and the name, with the access token", async () => {
    const server = passkeyServer();
    const seen = [];
    const c = client(server, legacyCredentials(seen));
    await c.signInWithPasskey();

    const passkey = await c.registerPasskey("Laptop");

    assert.equal(passkey.name, "Laptop");
    const options = seen[1].publicKey;
    assert.deepEqual(new Uint8Array(options.user.id), new Uint8Array([4, 5, 6]));
    assert.deepEqual(new Uint8Array(options.excludeCredentials[0].id), new Uint8Array([10, 11, 12]));
    const register = server.sent.find((s) => s.path === "/api/auth/passkeys/register");
    assert.match(register.authorization, /^Bearer /);
    assert.deepEqual(register.body.credential.response, { clientDataJSON: "BQ", attestationObject: "Bg", transports: ["internal"] });
    c.close();
  });

  test("stepping up sends the assertion to reauthenticate and keeps the new tokens", async () => {
    const server = passkeyServer();
    const seen = [];
    const c = client(server, legacyCredentials(seen));
    await c.signInWithPasskey();
    const events = [];
    c.onAuthStateChange((event) => events.push(event));

    await c.reauthenticateWithPasskey();

    assert.deepEqual(new Uint8Array(seen[1].publicKey.allowCredentials[0].id), new Uint8Array([1]));
    const reauth = server.sent.find((s) => s.path === "/api/auth/reauthenticate");
    assert.match(reauth.authorization, /^Bearer /);
    assert.equal(reauth.body.passkey.response.signature, "Aw");
    assert.deepEqual(events, ["TOKEN_REFRESHED"]);
    c.close();
  });

  test("a browser without WebAuthn gets a clear error, not a TypeError", async () => {
    const c = client(passkeyServer(), null, null);
    assert.equal(c.passkeysSupported, false);
    const error = await c.signInWithPasskey().catch((e) => e);
    assert.ok(error instanceof FuncAuthError);
    assert.equal(error.code, "passkeys_unsupported");
    c.close();
  });
});
