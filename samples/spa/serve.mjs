#!/usr/bin/env node
// A tiny static server for the demo SPA, with no dependencies: serves this folder at /, the client library from
// clients/js at /clients/js/ (one copy of it in the repository), the QR code module at /vendor/uqr/index.mjs,
// index.html for the app's routes (/verify-email,
// /reset-password, ...: the pages emailed links open), and /config.json telling the app where FuncAuth is.
//
//   node samples/spa/serve.mjs [--port 5173] [--host 127.0.0.1] [--api http://localhost:7071]
//
// FUNCAUTH_API_URL sets the API's base URL as --api does. Development only: no TLS, no compression.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const roots = [
  { prefix: "/clients/js/", dir: resolve(here, "../../clients/js") },
  // The QR code encoder of the two-step sign-in page (the npm package uqr, installed by `npm ci` at the root).
  { prefix: "/vendor/uqr/", dir: resolve(here, "../../node_modules/uqr/dist") },
  { prefix: "/", dir: resolve(here) },
];

const args = parseArgs(process.argv.slice(2));
const port = Number(args.port ?? process.env.PORT ?? 5173);
const host = args.host ?? "127.0.0.1";
const apiBaseUrl = (args.api ?? process.env.FUNCAUTH_API_URL ?? "http://localhost:7071").replace(/\/+$/, "");
const apiOrigin = new URL(apiBaseUrl).origin;

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const headers = {
  // Only this origin's scripts, and requests only to this origin and FuncAuth: the page holds a session.
  "Content-Security-Policy": `default-src 'self'; connect-src 'self' ${apiOrigin}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
  // Emailed links carry a token in the query: never let it leave in a Referer header.
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

const server = createServer(async (request, response) => {
  try {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return send(response, 405, "text/plain; charset=utf-8", "Method not allowed\n", { Allow: "GET, HEAD" });
    }
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    if (path === "/config.json") {
      return send(response, 200, types[".json"], JSON.stringify({ apiBaseUrl }));
    }
    const file = (await findFile(path)) ?? (extname(path) === "" ? join(here, "index.html") : null);
    if (!file) return send(response, 404, "text/plain; charset=utf-8", "Not found\n");
    const body = await readFile(file);
    return send(response, 200, types[extname(file)] ?? "application/octet-stream", request.method === "HEAD" ? null : body);
  } catch {
    return send(response, 400, "text/plain; charset=utf-8", "Bad request\n");
  }
});

async function findFile(path) {
  const root = roots.find((r) => path.startsWith(r.prefix));
  const relative = normalize(path.slice(root.prefix.length) || "index.html");
  const full = resolve(root.dir, relative);
  // Nothing outside the served folders, whatever the path spells (.., encoded slashes).
  if (full !== root.dir && !full.startsWith(root.dir + sep)) return null;
  // Only the client library itself from clients/js, not its tests or package files.
  if (root.prefix === "/clients/js/" && !/^funcauth\.(js|d\.ts)$/.test(relative)) return null;
  if (root.prefix === "/vendor/uqr/" && relative !== "index.mjs") return null;
  try {
    const info = await stat(full);
    if (info.isFile()) return full;
    if (info.isDirectory()) return findFile(`${path.replace(/\/?$/, "/")}index.html`);
  } catch {
    // Not there.
  }
  return null;
}

function send(response, status, type, body, extra = {}) {
  response.writeHead(status, { ...headers, "Content-Type": type, ...extra });
  response.end(body ?? undefined);
}

function parseArgs(list) {
  const result = {};
  for (let i = 0; i < list.length; i++) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(list[i]);
    if (match) result[match[1]] = match[2] ?? list[++i];
  }
  return result;
}

server.listen(port, host, () => {
  const address = server.address();
  console.log(`FuncAuth demo SPA on http://${host === "127.0.0.1" ? "localhost" : host}:${address.port} (API ${apiBaseUrl})`);
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
