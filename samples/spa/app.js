// The FuncAuth demo: every screen is a function that builds its DOM from the client's state. No framework, no build.
import { createClient } from "/clients/js/funcauth.js";

const config = await loadConfig();
const auth = createClient({ baseUrl: config.apiBaseUrl });
const app = document.getElementById("app");
const nav = document.getElementById("nav");
let notice = null; // shown once, on the next screen
let conditionalSignIn = null; // the pending autofill passkey request of the sign-in page

const routes = {
  "/": () => (auth.session ? profileView() : signInView()),
  "/sign-in": signInView,
  "/sign-up": signUpView,
  "/forgot-password": forgotPasswordView,
  "/verify-email": verifyEmailView,
  "/reset-password": resetPasswordView,
  "/profile": signedIn(profileView),
  "/sessions": signedIn(sessionsView),
  "/activity": signedIn(activityView),
  "/password": signedIn(changePasswordView),
  "/passkeys": signedIn(passkeysView),
  "/two-step": signedIn(twoStepView),
  "/authorize": authorizeView,
};
const publicOnly = new Set(["/sign-in", "/sign-up"]);

auth.onAuthStateChange((event, session, reason) => {
  if (event === "INITIAL_SESSION") return;
  const path = location.pathname;
  if (event === "SIGNED_OUT") {
    notice = reason
      ? { kind: "warn", text: "Your session has ended (it was signed out elsewhere or is no longer valid). Please sign in again." }
      : { kind: "info", text: "You are signed out." };
    if (!routes[path] || path === "/" || routes[path].needsSession) return navigate("/sign-in", true);
  } else if (event === "SIGNED_IN" && (publicOnly.has(path) || path === "/")) {
    return navigate("/profile", true);
  }
  renderNav();
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", render);

await auth.initialize();
render();

// ---- screens -----------------------------------------------------------------------------------------------------

function signInView() {
  if (auth.session) return navigate("/profile", true);
  return card("Sign in", signInForm(() => navigate("/profile", true)));
}

/** The one sign-in form (the home page's and the authorization page's), so every way to sign in is offered on both. */
function signInForm(onSignedIn) {
  const passkeyError = h("p", { id: "passkey-sign-in-error", class: "error", role: "alert", hidden: true });
  const withPasskey = async (options) => {
    passkeyError.hidden = true;
    if (!options?.mediation && conditionalSignIn) {
      // A browser runs one WebAuthn request at a time: end the autofill one before asking with a dialog.
      conditionalSignIn.controller.abort();
      await conditionalSignIn.pending;
      conditionalSignIn = null;
    }
    try {
      await auth.signInWithPasskey(options);
      onSignedIn();
    } catch (e) {
      if (e?.name === "AbortError" || (options?.mediation === "conditional" && e?.name === "NotAllowedError")) return;
      passkeyError.textContent = describe(e);
      passkeyError.hidden = false;
    }
  };
  // Conditional UI: where the browser supports it, the passkeys it holds for this site appear in the email field's
  // autofill; picking one signs in. The pending request ends when the page changes.
  conditionalSignIn?.controller.abort();
  conditionalSignIn = null;
  if (auth.passkeysSupported) {
    auth.conditionalPasskeysAvailable().then((available) => {
      if (!available || conditionalSignIn || !["/sign-in", "/", "/authorize"].includes(location.pathname)) return;
      const controller = new AbortController();
      conditionalSignIn = { controller, pending: withPasskey({ mediation: "conditional", signal: controller.signal }) };
    });
  }
  const step = h("div", { id: "sign-in-step" });
  step.append(...[
    auth.passkeysSupported
      ? h("div", { class: "row" }, button("Sign in with a passkey", () => withPasskey(), { id: "passkey-sign-in" }))
      : null,
    passkeyError,
    form({
      id: "sign-in-form",
      submit: "Sign in",
      fields: [
        { name: "email", label: "Email", type: "email", autocomplete: "username webauthn" },
        { name: "password", label: "Password", type: "password", autocomplete: "current-password" },
      ],
      onSubmit: async ({ email, password }) => {
        const result = await auth.signIn({ email, password });
        if (result?.status === "mfa_required") {
          // The password was right; the session opens only after the second factor.
          conditionalSignIn?.controller.abort();
          conditionalSignIn = null;
          step.replaceChildren(...secondFactorPrompt(onSignedIn, () => render()));
          step.querySelector("input")?.focus();
          return;
        }
        onSignedIn();
      },
    }),
    h("p", { class: "links" }, link("/forgot-password", "Forgot your password?"), " · ", link("/sign-up", "Create an account")),
  ].filter(Boolean));
  return [step];
}

/**
 * A code from the authenticator app, or (one click away) a recovery code; `prove({ code } | { recoveryCode })` checks
 * it. Shared by the sign-in's second step and the re-authentication prompt.
 */
function codeForms(prove, idPrefix) {
  const byApp = form({
    id: `${idPrefix}-code-form`,
    submit: "Continue",
    fields: [{ name: "code", label: "6-digit code from your authenticator app", autocomplete: "one-time-code", inputmode: "numeric" }],
    onSubmit: ({ code }) => prove({ code: code.replace(/\s+/g, "") }),
  });
  const byRecovery = form({
    id: `${idPrefix}-recovery-form`,
    submit: "Continue",
    fields: [{ name: "recoveryCode", label: "One of your recovery codes (xxxx-xxxx-xxxx)", autocomplete: "off" }],
    onSubmit: ({ recoveryCode }) => prove({ recoveryCode: recoveryCode.trim() }),
  });
  byRecovery.hidden = true;
  const toggle = h("button", { type: "button", class: "secondary small", id: `${idPrefix}-use-recovery` }, "Use a recovery code instead");
  toggle.addEventListener("click", () => {
    const toRecovery = !byApp.hidden;
    byApp.hidden = toRecovery;
    byRecovery.hidden = !toRecovery;
    toggle.textContent = toRecovery ? "Use the authenticator app instead" : "Use a recovery code instead";
    (toRecovery ? byRecovery : byApp).querySelector("input").focus();
  });
  return [byApp, byRecovery, h("p", { class: "links" }, toggle)];
}

/** The sign-in's second step, after a right password to an account with two-step sign-in. */
function secondFactorPrompt(onSignedIn, startAgain) {
  return [
    h("h2", { id: "mfa-prompt" }, "Two-step sign-in"),
    h("p", {}, "Open your authenticator app and enter the code it shows for this account."),
    ...codeForms(async (proof) => {
      try {
        await auth.verifyMfa(proof);
      } catch (e) {
        if (e?.code === "mfa_token_invalid") {
          notice = { kind: "warn", text: messages.mfa_token_invalid };
          startAgain();
          return;
        }
        throw e;
      }
      onSignedIn();
    }, "mfa"),
    h("p", { class: "links" }, button("Start again", startAgain, { class: "secondary small", id: "mfa-start-again" })),
  ];
}

/**
 * The sign-in page of the authorization code flow: another app sent the browser here (through FuncAuth's
 * /oauth/authorize) with ?request=<id>. Sign in, see which app asks, consent unless it is first party, and go back.
 */
function authorizeView() {
  const requestId = new URLSearchParams(location.search).get("request") ?? "";
  const slot = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const shell = card("Sign in to continue", [slot]);
  showAuthorization(requestId, slot).catch((e) => slot.replaceChildren(h("p", { class: "error", role: "alert" }, describe(e))));
  return shell;
}

async function showAuthorization(requestId, slot) {
  const response = await fetch(`${config.apiBaseUrl}/api/oauth/authorize/${encodeURIComponent(requestId)}`, { cache: "no-store", credentials: "omit" });
  if (!response.ok) {
    slot.replaceChildren(h("p", { class: "error", role: "alert", id: "authorize-error" },
      "This sign-in link has expired or was already used. Go back to the app and start again."));
    return;
  }
  const request = await response.json();
  const client = h("strong", { id: "client-name" }, request.clientName);
  if (!auth.session) {
    slot.replaceChildren(h("p", {}, "Sign in with your FuncAuth account to continue to ", client, "."),
      ...signInForm(() => render()));
    return;
  }
  const who = auth.user?.email ?? "";
  const decide = async (approve) => {
    const answer = await auth.fetch(`${config.apiBaseUrl}/api/oauth/authorize/complete`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: requestId, approve }),
      credentials: "omit",
      cache: "no-store",
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw data;
    location.assign(data.redirectTo);
  };
  if (request.firstParty) {
    slot.replaceChildren(h("p", {}, "Returning you to ", client, "…"));
    await decide(true);
    return;
  }
  const wants = [
    request.scopes.includes("email") ? "see your email address" : null,
    request.scopes.includes("profile") ? "see your name" : null,
    "use FuncAuth as you, until you sign out of it",
  ].filter(Boolean);
  slot.replaceChildren(
    h("p", { id: "consent-question" }, client, " wants to sign you in as ", h("strong", {}, who), ". It will be able to:"),
    h("ul", { id: "consent-scopes" }, ...wants.map((w) => h("li", {}, w))),
    h("div", { class: "row" },
      button("Allow", () => decide(true), { id: "consent-allow" }),
      button("Deny", () => decide(false), { id: "consent-deny", class: "secondary" })),
    h("p", { class: "links" }, "Not you? ", button("Sign in as someone else", async () => { await auth.signOut("local"); render(); }, { class: "secondary small", id: "switch-user" })));
}

function signUpView() {
  if (auth.session) return navigate("/profile", true);
  return card("Create an account", [
    form({
      id: "sign-up-form",
      submit: "Sign up",
      fields: [
        { name: "email", label: "Email", type: "email", autocomplete: "username" },
        { name: "name", label: "Name (optional)", autocomplete: "name" },
        { name: "password", label: "Password (8 characters or more)", type: "password", autocomplete: "new-password" },
        { name: "passwordConfirmation", label: "Password again", type: "password", autocomplete: "new-password" },
      ],
      onSubmit: async (values) => {
        const result = await auth.signUp(values);
        if (result.status === "signed_in") return navigate("/profile", true);
        notice = { kind: "info", text: `We sent a link to ${values.email}. Open it to confirm your address, then sign in.` };
        navigate("/sign-in", true);
      },
    }),
    h("p", { class: "links" }, "Already registered? ", link("/sign-in", "Sign in")),
  ]);
}

function profileView() {
  const status = h("p", { id: "profile-status", class: "muted" });
  const details = h("dl", { id: "profile", class: "details" });
  const show = (user) => {
    details.replaceChildren(
      ...row("Email", h("span", { id: "profile-email" }, user.email),
        user.emailVerified === false ? h("span", { class: "badge warn" }, "not confirmed") : null,
        user.emailVerified === true ? h("span", { class: "badge ok" }, "confirmed") : null),
      ...row("Name", h("span", { id: "profile-name" }, user.name || "—")),
      ...row("Roles", (user.roles ?? []).join(", ")),
      ...row("Member since", formatDate(user.createdAt)),
    );
  };
  const load = async () => {
    status.textContent = "Loading…";
    status.dataset.state = "loading";
    try {
      show(await auth.getUser());
      status.textContent = `Up to date at ${new Date().toLocaleTimeString()}.`;
      status.dataset.state = "loaded";
    } catch (e) {
      status.textContent = describe(e);
      status.dataset.state = "error";
    }
  };
  if (auth.user) show(auth.user);
  load();

  const user = auth.user ?? {};
  return card("Your profile", [
    details,
    h("div", { class: "row" }, button("Reload", load, { id: "reload-profile", class: "secondary" }), status),
    h("h2", {}, "Change your name"),
    form({
      id: "profile-form",
      submit: "Save",
      fields: [{ name: "name", label: "Name", autocomplete: "name", value: user.name ?? "" }],
      onSubmit: async ({ name }, el) => {
        show(await auth.updateProfile({ name }));
        done(el, "Saved.");
      },
    }),
    user.emailVerified === false
      ? h("p", {}, button("Send the confirmation email again", async (e) => {
        await auth.resendVerification(auth.user.email);
        e.target.replaceWith(h("span", { class: "muted" }, "Sent, if the address is waiting for confirmation."));
      }, { class: "secondary" }))
      : null,
  ]);
}

function sessionsView() {
  const list = h("div", { id: "sessions-list" }, h("p", { class: "muted" }, "Loading…"));
  const load = async () => {
    try {
      const sessions = await auth.listSessions();
      list.replaceChildren(h("table", { class: "sessions" },
        h("thead", {}, h("tr", {}, ...["Device", "Signed in", "Last active", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...sessions.map((s) => h("tr", { class: s.current ? "current" : "" },
          h("td", { title: s.userAgent ?? "" }, s.device, s.current ? h("span", { class: "badge ok" }, "this device") : null),
          h("td", {}, formatDate(s.createdAt)),
          h("td", {}, formatDate(s.lastUsedAt)),
          h("td", {}, s.current ? null : button("End", async () => { await auth.endSession(s.id); await load(); }, { class: "secondary small" })),
        )))));
    } catch (e) {
      list.replaceChildren(h("p", { class: "error" }, describe(e)));
    }
  };
  load();
  const result = h("p", { id: "sessions-result", class: "muted" });
  return card("Sessions", [
    h("p", {}, "Each browser or device you signed in on is a session. All tabs of this browser share one."),
    list,
    h("div", { class: "row" },
      button("Sign out all other devices", async () => {
        await auth.signOut("others");
        result.textContent = "Every other device is signed out.";
        await load();
      }, { id: "sign-out-others", class: "secondary" }),
      button("Sign out this device", () => auth.signOut("local"), { id: "sign-out-here" }),
    ),
    result,
  ]);
}

function passkeysView() {
  const list = h("div", { id: "passkeys-list" }, h("p", { class: "muted" }, "Loading…"));
  const load = async () => {
    try {
      const passkeys = await auth.listPasskeys();
      list.replaceChildren(passkeys.length === 0
        ? h("p", { id: "no-passkeys", class: "muted" }, "No passkeys yet.")
        : h("table", { class: "sessions" },
          h("thead", {}, h("tr", {}, ...["Name", "Added", "Last used", ""].map((t) => h("th", {}, t)))),
          h("tbody", {}, ...passkeys.map((p) => h("tr", { "data-passkey": p.id },
            h("td", { class: "passkey-name" }, p.name),
            h("td", {}, formatDate(p.createdAt)),
            h("td", {}, formatDate(p.lastUsedAt)),
            h("td", {}, button("Delete", async () => { await auth.deletePasskey(p.id); await load(); }, { class: "secondary small" })),
          )))));
    } catch (e) {
      list.replaceChildren(h("p", { class: "error" }, describe(e)));
    }
  };
  load();
  const confirmed = h("p", { id: "reauth-result", class: "muted" });
  return card("Passkeys", [
    h("p", {}, "A passkey signs you in with this device's screen lock (fingerprint, face or PIN) or a security key, instead of your password. It works only on this site, so it cannot be phished."),
    list,
    auth.passkeysSupported
      ? h("div", { class: "row" },
        button("Confirm it's you with a passkey", async () => {
          await auth.reauthenticateWithPasskey();
          confirmed.textContent = "Confirmed: for the next 10 minutes you can add and delete passkeys without signing in again.";
        }, { id: "reauth-passkey", class: "secondary" }),
        confirmed)
      : null,
    auth.passkeysSupported
      ? form({
        id: "passkey-form",
        submit: "Add a passkey",
        fields: [{ name: "name", label: "Name (to tell your passkeys apart)", value: "This device" }],
        onSubmit: async ({ name }, el) => {
          await auth.registerPasskey(name);
          done(el, "Passkey added. You can now sign in with it.");
          await load();
        },
      })
      : h("p", { class: "error" }, "This browser cannot make passkeys."),
  ]);
}

/**
 * Two-step sign-in with an authenticator app (TOTP): turn it on (QR code or the secret typed in, then a code to
 * confirm; the 10 recovery codes are shown once), get new recovery codes, turn it off. The QR code is drawn here in the
 * browser (uqr), so the secret never goes to a third party.
 */
function twoStepView() {
  const body = h("div", { id: "two-step" }, h("p", { class: "muted" }, "Loading…"));
  const load = async () => {
    try {
      const status = await auth.mfa.status();
      body.replaceChildren(...(status.totp.enabled ? twoStepOn(status, load) : twoStepOff(body, load)));
      body.dataset.state = status.totp.enabled ? "on" : "off";
    } catch (e) {
      body.replaceChildren(h("p", { class: "error" }, describe(e)));
    }
  };
  load();
  return card("Two-step sign-in", [
    h("p", {}, "With two-step sign-in, your password alone is not enough: signing in also asks for a code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, ...)."),
    body,
  ]);
}

function twoStepOff(body, reload) {
  return [
    h("p", { id: "two-step-status" }, h("span", { class: "badge warn" }, "off"), " Your account is protected by your password only."),
    h("div", { class: "row" }, button("Set up an authenticator app", async () => {
      // Loaded here, not with the app: the rest of the app does not depend on it.
      const { renderSVG } = await import("/vendor/uqr/index.mjs");
      const { secret, otpauthUri } = await auth.mfa.enrollTotp();
      body.replaceChildren(...totpEnrolment(renderSVG(otpauthUri, { border: 4 }), secret, body, reload));
      body.querySelector("input")?.focus();
    }, { id: "totp-start" })),
  ];
}

function totpEnrolment(qrSvg, secret, body, reload) {
  const qr = h("img", {
    id: "totp-qr",
    class: "qr",
    alt: "QR code of the authenticator app's setup link",
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`,
  });
  return [
    h("h2", {}, "1. Scan this code with your authenticator app"),
    qr,
    h("p", {}, "Cannot scan it? Add an account in the app by hand with this key (time-based):"),
    h("p", {}, h("code", { id: "totp-secret", class: "secret" }, secret.replace(/(.{4})(?=.)/g, "$1 "))),
    h("h2", {}, "2. Enter the code the app shows"),
    form({
      id: "totp-confirm-form",
      submit: "Turn on two-step sign-in",
      fields: [{ name: "code", label: "6-digit code", autocomplete: "one-time-code", inputmode: "numeric" }],
      onSubmit: async ({ code }) => {
        const { recoveryCodes } = await auth.mfa.confirmTotp(code.replace(/\s+/g, ""));
        body.dataset.state = "on";
        body.replaceChildren(...recoveryCodesShown(recoveryCodes, "Two-step sign-in is on.", reload));
      },
    }),
    h("p", { class: "links" }, button("Cancel", reload, { class: "secondary small", id: "totp-cancel" })),
  ];
}

/** The recovery codes, shown this once, with a copy button. */
function recoveryCodesShown(codes, heading, reload) {
  const copied = h("span", { id: "recovery-copied", class: "muted", role: "status" });
  return [
    h("p", { class: "success", id: "two-step-result" }, heading),
    h("h2", {}, "Save your recovery codes"),
    h("p", {}, "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe, such as a password manager: they are shown only now."),
    h("ul", { id: "recovery-codes", class: "codes" }, ...codes.map((c) => h("li", {}, h("code", {}, c)))),
    h("div", { class: "row" },
      button("Copy the codes", async () => {
        await navigator.clipboard.writeText(codes.join("\n"));
        copied.textContent = "Copied.";
      }, { id: "copy-recovery-codes", class: "secondary" }),
      button("I have saved them", reload, { id: "recovery-codes-saved" }),
      copied),
  ];
}

function twoStepOn(status, reload) {
  const shown = h("div", { id: "new-recovery-codes" });
  return [
    h("p", { id: "two-step-status" }, h("span", { class: "badge ok" }, "on"), ` Since ${formatDate(status.totp.createdAt)}. Signing in asks for a code from your authenticator app.`),
    h("p", { id: "recovery-codes-left" }, `${status.recoveryCodesLeft} of 10 recovery codes left.`),
    h("div", { class: "row" },
      button("Get new recovery codes", async () => {
        const { recoveryCodes } = await auth.mfa.regenerateRecoveryCodes();
        shown.replaceChildren(...recoveryCodesShown(recoveryCodes, "New recovery codes: the old ones no longer work.", reload));
      }, { id: "regenerate-recovery-codes", class: "secondary" }),
      button("Turn off two-step sign-in", async () => {
        await auth.mfa.disableTotp();
        notice = { kind: "info", text: "Two-step sign-in is off." };
        render();
      }, { id: "totp-disable", class: "secondary" })),
    shown,
  ];
}

/**
 * Runs an operation; when the server answers reauthentication_required, asks the user to confirm it is them (password,
 * or a code when the account has two-step sign-in) and runs it once more. A second refusal means the operation wants
 * the second factor: the prompt then asks for a code only.
 */
async function withStepUp(operation) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (e) {
      if (e?.code !== "reauthentication_required" || attempt === 2) throw e;
      if (!(await confirmIdentity({ codeOnly: attempt > 0 }))) throw e;
    }
  }
}

/** The re-authentication dialog; resolves true once the session is proved again, false when the user cancels. */
async function confirmIdentity({ codeOnly }) {
  let hasCode = codeOnly;
  try {
    hasCode ||= (await auth.getUser()).mfaEnabled === true;
  } catch {
    hasCode = true; // unknown: offer every way
  }
  return new Promise((resolve) => {
    const dialog = h("dialog", { id: "reauth-dialog", class: "card", "aria-labelledby": "reauth-title" });
    const finish = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    const prove = async (proof) => { await auth.reauthenticate(proof); finish(true); };
    const byPassword = form({
      id: "reauth-password-form",
      submit: "Confirm",
      fields: [{ name: "password", label: "Your password", type: "password", autocomplete: "current-password" }],
      onSubmit: ({ password }) => prove({ password }),
    });
    dialog.append(
      h("h1", { id: "reauth-title" }, "Confirm it's you"),
      h("p", {}, codeOnly
        ? "This change needs your second factor: enter a code from your authenticator app, or a recovery code, or use a passkey."
        : "For your safety, this change needs a fresh proof that it is you."),
      // A passkey proves the second factor by itself (and is the only one an account without TOTP may have).
      auth.passkeysSupported
        ? h("div", { class: "row" }, button("Use a passkey", async () => {
          await auth.reauthenticateWithPasskey();
          finish(true);
        }, { id: "reauth-passkey-dialog", class: "secondary" }))
        : null,
      ...(hasCode ? codeForms(prove, "reauth") : []),
      ...(codeOnly ? [] : [hasCode ? h("h2", {}, "Or with your password") : null, byPassword]),
      h("div", { class: "row" }, h("button", { type: "button", class: "secondary", id: "reauth-cancel" }, "Cancel")));
    dialog.querySelector("#reauth-cancel").addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("input")?.focus();
  });
}

// What each event type means to the person reading their own trail.
const activityText = {
  signup: "Account created",
  login_succeeded: "Signed in",
  login_failed: "Sign-in refused",
  mfa_succeeded: "Second factor accepted",
  mfa_failed: "Second factor refused",
  recovery_code_used: "Recovery code used",
  totp_enabled: "Authenticator app turned on",
  totp_disabled: "Authenticator app turned off",
  passkey_added: "Passkey added",
  passkey_used: "Signed in with a passkey",
  passkey_deleted: "Passkey removed",
  reauthenticated: "Identity confirmed again",
  refresh_token_reused: "A stolen sign-in was stopped",
  logout: "Signed out",
  force_logout: "Signed out everywhere by an administrator",
  password_changed: "Password changed",
  password_reset: "Password reset from an emailed link",
  email_verified: "Email address confirmed",
  api_key_created: "API key created",
  api_key_revoked: "API key revoked",
  roles_changed: "Roles changed by an administrator",
  user_disabled: "Account disabled by an administrator",
  user_enabled: "Account enabled by an administrator",
  mfa_reset: "Second factor reset by an administrator",
  account_deleted: "Account deleted",
};

function activityView() {
  const list = h("div", { id: "activity-list" }, h("p", { class: "muted" }, "Loading…"));
  const more = h("div", { class: "row" });
  const rows = h("tbody", {});
  const describeEvent = (e) => {
    const what = activityText[e.type] ?? e.type;
    const extra = [
      e.details.reason ? e.details.reason.replaceAll("_", " ") : null,
      e.details.name ? `“${e.details.name}”` : null,
      e.details.scope && e.type === "logout" ? `(${e.details.scope})` : null,
    ].filter(Boolean).join(" ");
    return extra ? `${what}: ${extra}` : what;
  };
  const load = async (cursor) => {
    try {
      const page = await auth.listAuditEvents({ limit: 20, cursor });
      if (!cursor) {
        list.replaceChildren(page.events.length === 0
          ? h("p", { class: "muted" }, "Nothing yet.")
          : h("table", { class: "sessions activity" },
            h("thead", {}, h("tr", {}, ...["When", "What happened", "Device", "From"].map((t) => h("th", {}, t)))),
            rows));
      }
      rows.append(...page.events.map((e) => h("tr", { class: e.type === "login_failed" || e.type === "refresh_token_reused" ? "warn" : "", "data-type": e.type },
        h("td", { title: e.at }, formatDate(e.at)),
        h("td", {}, describeEvent(e)),
        h("td", { title: e.userAgent ?? "" }, e.device),
        h("td", {}, e.clientAddress ?? "unknown", e.clientAddressClass ? h("span", { class: "muted" }, ` (${e.clientAddressClass.replaceAll("_", " ")})`) : null),
      )));
      more.replaceChildren(page.nextCursor
        ? button("Show older", () => load(page.nextCursor), { id: "activity-more", class: "secondary" })
        : "");
    } catch (e) {
      list.replaceChildren(h("p", { class: "error" }, describe(e)));
    }
  };
  load(null);
  return card("Activity", [
    h("p", {}, "Every sign-in, sign-out and change to your account's security, newest first. If you do not recognise one, change your password and sign out all other devices."),
    list,
    more,
  ]);
}

function changePasswordView() {
  return card("Change your password", [
    h("p", {}, "Your other devices are signed out; this one stays signed in."),
    form({
      id: "password-form",
      submit: "Change password",
      fields: [
        { name: "currentPassword", label: "Current password", type: "password", autocomplete: "current-password" },
        { name: "password", label: "New password", type: "password", autocomplete: "new-password" },
        { name: "passwordConfirmation", label: "New password again", type: "password", autocomplete: "new-password" },
      ],
      onSubmit: async (values, el) => {
        await auth.changePassword(values);
        el.reset();
        done(el, "Your password is changed, and your other devices are signed out.");
      },
    }),
  ]);
}

function forgotPasswordView() {
  return card("Forgot your password?", [
    h("p", {}, "Enter your address and we will email you a link to choose a new password."),
    form({
      id: "forgot-form",
      submit: "Send the link",
      fields: [{ name: "email", label: "Email", type: "email", autocomplete: "username" }],
      onSubmit: async ({ email }, el) => {
        await auth.forgotPassword(email);
        done(el, "If that address has an account, a link is on its way. It works for an hour.");
      },
    }),
    h("p", { class: "links" }, link("/sign-in", "Back to sign in")),
  ]);
}

// Opened from the emailed link /verify-email?token=...: the token is posted at once and taken out of the address bar.
function verifyEmailView() {
  const token = takeToken();
  const status = h("p", { id: "verify-status" }, token ? "Confirming your address…" : "This link has no token. Open the link from the email again.");
  if (token) {
    auth.verifyEmail(token).then(
      () => { status.textContent = "Your address is confirmed. Thank you!"; status.className = "success"; },
      (e) => { status.textContent = describe(e); status.className = "error"; },
    );
  }
  return card("Confirm your address", [status, h("p", { class: "links" }, link(auth.session ? "/profile" : "/sign-in", "Continue"))]);
}

// Opened from the emailed link /reset-password?token=...
function resetPasswordView() {
  const token = takeToken();
  if (!token) return card("Choose a new password", [h("p", { class: "error" }, "This link has no token. Open the link from the email again, or ask for a new one."), h("p", {}, link("/forgot-password", "Ask for a new link"))]);
  return card("Choose a new password", [
    form({
      id: "reset-form",
      submit: "Set the password",
      fields: [
        { name: "password", label: "New password", type: "password", autocomplete: "new-password" },
        { name: "passwordConfirmation", label: "New password again", type: "password", autocomplete: "new-password" },
      ],
      onSubmit: async ({ password, passwordConfirmation }) => {
        await auth.resetPassword({ token, password, passwordConfirmation });
        // The reset ended every session of that account at the server; drop this browser's one too, if it has one.
        if (auth.session) await auth.signOut("local").catch(() => {});
        notice = { kind: "success", text: "Your password is set. Every device was signed out: sign in with the new password." };
        navigate("/sign-in", true);
      },
    }),
  ]);
}

// ---- routing and chrome ------------------------------------------------------------------------------------------

function signedIn(view) {
  const guarded = () => (auth.session ? view() : navigate("/sign-in", true));
  guarded.needsSession = true;
  return guarded;
}

function navigate(path, replace = false) {
  history[replace ? "replaceState" : "pushState"](null, "", path);
  render();
  return null;
}

function render() {
  if (conditionalSignIn && (auth.session || !["/", "/sign-in"].includes(location.pathname))) {
    // Leaving the sign-in page: its pending autofill request would block the next WebAuthn call.
    conditionalSignIn.controller.abort();
    conditionalSignIn = null;
  }
  renderNav();
  const view = routes[location.pathname] ?? notFoundView;
  const content = view();
  if (content === null) return; // the view navigated elsewhere
  const shown = notice ? h("p", { class: `notice ${notice.kind}`, role: "status", id: "notice" }, notice.text) : null;
  notice = null;
  app.replaceChildren(...[shown, content].filter(Boolean));
  app.querySelector("input")?.focus();
}

function renderNav() {
  const user = auth.user;
  nav.replaceChildren(...(auth.session
    ? [
      h("span", { class: "who", id: "who" }, user?.name || user?.email || ""),
      link("/profile", "Profile"),
      link("/sessions", "Sessions"),
      link("/activity", "Activity"),
      link("/password", "Password"),
      link("/passkeys", "Passkeys"),
      link("/two-step", "Two-step"),
      button("Sign out", () => auth.signOut("local"), { id: "sign-out", class: "secondary small" }),
    ]
    : [link("/sign-in", "Sign in"), link("/sign-up", "Sign up")]));
}

function notFoundView() {
  return card("Not found", [h("p", {}, "There is no such page. "), link("/", "Home")]);
}

// ---- small DOM helpers -----------------------------------------------------------------------------------------

/** Builds an element; text is always set as text, never parsed as HTML. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

function card(title, children) {
  return h("section", { class: "card" }, h("h1", {}, title), ...children);
}

function link(href, text) {
  return h("a", { href, "data-link": true }, text);
}

function button(text, onClick, props = {}) {
  const el = h("button", { type: "button", ...props }, text);
  el.addEventListener("click", async (event) => {
    el.disabled = true;
    try {
      await withStepUp(() => onClick(event));
    } catch (e) {
      const message = h("p", { class: "error", role: "alert" }, describe(e));
      el.closest(".row, p, td")?.after(message);
    } finally {
      el.disabled = false;
    }
  });
  return el;
}

function row(label, ...value) {
  return [h("dt", {}, label), h("dd", {}, ...value)];
}

/** A form whose submit calls onSubmit(values, form) and shows the server's field errors beside the fields. */
function form({ id, fields, submit, onSubmit }) {
  const general = h("p", { class: "error", role: "alert", hidden: true });
  const submitButton = h("button", { type: "submit" }, submit);
  const el = h("form", { id, novalidate: true },
    ...fields.map((f) => h("label", { class: "field" },
      h("span", {}, f.label),
      h("input", { name: f.name, type: f.type ?? "text", autocomplete: f.autocomplete, inputmode: f.inputmode, value: f.value }),
      h("small", { class: "field-error", "data-for": f.name }))),
    general,
    h("div", { class: "row" }, submitButton));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    general.hidden = true;
    el.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
    el.querySelector(".success")?.remove();
    submitButton.disabled = true;
    try {
      const values = Object.fromEntries(new FormData(el));
      await withStepUp(() => onSubmit(values, el));
    } catch (e) {
      let shown = false;
      for (const [name, messages] of Object.entries(e.errors ?? {})) {
        const slot = el.querySelector(`.field-error[data-for="${CSS.escape(name)}"]`);
        if (slot) { slot.textContent = messages.map(explain).join(" "); shown = true; }
      }
      if (!shown || e.code !== "validation_failed") {
        general.textContent = describe(e);
        general.hidden = false;
      }
    } finally {
      submitButton.disabled = false;
    }
  });
  return el;
}

function done(formElement, text) {
  formElement.append(h("p", { class: "success", role: "status" }, text));
}

const messages = {
  invalid_credentials: "Wrong email or password.",
  email_taken: "That address already has an account. Sign in, or reset the password.",
  email_not_verified: "Confirm your address first: open the link we emailed you.",
  account_disabled: "This account is disabled.",
  password_incorrect: "The current password is not right.",
  verification_token_invalid: "This confirmation link is not valid (or was already used).",
  verification_token_expired: "This confirmation link has expired. Ask for a new one from your profile.",
  reset_token_invalid: "This reset link is not valid (or was already used). Ask for a new one.",
  reset_token_expired: "This reset link has expired. Ask for a new one.",
  passkey_invalid: "That passkey was not accepted. Try again, or sign in with your password.",
  too_many_passkeys: "You have 20 passkeys, the most an account may have. Delete one first.",
  passkeys_unsupported: "This browser cannot use passkeys.",
  passkey_cancelled: "No passkey was chosen.",
  reauthentication_required: "For your safety, confirm it's you first: sign in again, or use \"Confirm it's you with a passkey\".",
  mfa_code_invalid: "That code is not right, or was already used. Enter the next code your app shows.",
  mfa_token_invalid: "This sign-in has expired or met too many wrong codes. Sign in again.",
  mfa_already_enabled: "Two-step sign-in is already on.",
  not_found: "The server does not offer this yet.",
  method_not_allowed: "The server does not offer this yet.",
};

function describe(error) {
  if (error?.code === "network_error") return `FuncAuth cannot be reached at ${config.apiBaseUrl}.`;
  if (error?.code === "rate_limited") return `Too many attempts. Try again in ${error.retryAfter ?? "a few"} seconds.`;
  if (error?.code === "service_unavailable") return "The service is busy. Try again in a moment.";
  if (error?.name === "NotAllowedError") return "The passkey request was cancelled or timed out.";
  if (error?.name === "InvalidStateError") return "This device already holds a passkey for your account.";
  if (error?.code === "validation_failed") return Object.values(error.errors ?? {}).flat().map(explain).join(" ") || error.detail;
  return messages[error?.code] ?? error?.detail ?? error?.message ?? "Something went wrong.";
}

/** The words of a validation message a person may not know what to do with. */
function explain(message) {
  return /data breach/.test(message)
    ? "This password has appeared in a data breach, so attackers try it early. Choose another: a few unrelated words make a strong one."
    : message;
}

function formatDate(value) {
  return value ? new Date(value).toLocaleString() : "—";
}

/** Reads ?token= and removes it from the address bar and history, so it is not left in either. */
function takeToken() {
  const token = new URLSearchParams(location.search).get("token");
  if (token) history.replaceState(null, "", location.pathname);
  return token;
}

async function loadConfig() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) return await response.json();
  } catch {
    // Served without config.json: assume the local run.
  }
  return { apiBaseUrl: "http://localhost:7071" };
}
