// A client of FuncAuth's authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9207), written out by hand
// with no library: what any app on another origin does to sign its users in with FuncAuth.
const { apiBaseUrl, clientId } = await (await fetch("/config.json", { cache: "no-store" })).json();
// The server's metadata (RFC 8414): its endpoints, and the issuer every answer must name.
const server = await (await fetch(`${apiBaseUrl}/.well-known/oauth-authorization-server`)).json();
const redirectUri = `${location.origin}/`;
const app = document.getElementById("app");

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

function show(...nodes) {
  app.replaceChildren(...nodes.map((n) => (typeof n === "string" ? Object.assign(document.createElement("p"), { textContent: n }) : n)));
}

function signInButton() {
  const button = Object.assign(document.createElement("button"), { id: "sign-in", textContent: "Sign in with FuncAuth" });
  button.addEventListener("click", signIn);
  return button;
}

async function signIn() {
  // The verifier stays in this tab; only its SHA-256 goes to the authorization server.
  const verifier = random();
  const state = random();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    scope: "openid email profile",
  });
  location.assign(`${server.authorization_endpoint}?${query}`);
}

async function finishSignIn(params) {
  const saved = JSON.parse(sessionStorage.getItem("pkce") ?? "null");
  sessionStorage.removeItem("pkce");
  // The code and any error leave the address bar and the history at once.
  history.replaceState(null, "", "/");
  // state ties the answer to this tab's request (CSRF); iss says which server answered (RFC 9207, mix-up attacks).
  if (!saved || params.get("state") !== saved.state) throw new Error("The answer does not belong to a sign-in started here.");
  if (params.get("iss") !== server.issuer) throw new Error("The answer did not come from FuncAuth.");
  if (params.get("error")) throw new Error(params.get("error") === "access_denied" ? "You declined to sign in." : params.get("error_description") ?? params.get("error"));

  const response = await fetch(server.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri, client_id: clientId, code_verifier: saved.verifier }),
  });
  const tokens = await response.json();
  if (!response.ok) throw new Error(tokens.error_description ?? "The code was not accepted.");
  // A real app keeps the tokens in memory (and the refresh token where only it can read it); this one shows who signed in.
  sessionStorage.setItem("access_token", tokens.access_token);
  return tokens.access_token;
}

async function showUser(accessToken) {
  const response = await fetch(`${apiBaseUrl}/api/auth/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (!response.ok) {
    sessionStorage.removeItem("access_token");
    return show("Your session has ended.", signInButton());
  }
  const me = await response.json();
  const box = Object.assign(document.createElement("div"), { id: "signed-in" });
  const email = Object.assign(document.createElement("strong"), { id: "email", textContent: me.email });
  box.append("Signed in with FuncAuth as ", email, ".");
  const out = Object.assign(document.createElement("button"), { id: "sign-out", textContent: "Sign out of Notes" });
  out.addEventListener("click", () => { sessionStorage.removeItem("access_token"); show("Signed out of Notes.", signInButton()); });
  show(box, out);
}

try {
  const params = new URLSearchParams(location.search);
  if (params.has("code") || params.has("error")) {
    await showUser(await finishSignIn(params));
  } else if (sessionStorage.getItem("access_token")) {
    await showUser(sessionStorage.getItem("access_token"));
  } else {
    show("Notes keeps no passwords: it lets FuncAuth sign you in.", signInButton());
  }
} catch (e) {
  const message = Object.assign(document.createElement("p"), { className: "error", id: "error", textContent: e.message });
  show(message, signInButton());
}
