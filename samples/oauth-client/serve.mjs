#!/usr/bin/env node
// Serves the sample client on its own origin (default http://localhost:5174), with /config.json naming FuncAuth and the
// client id it is registered under. Development only.
//
//   node samples/oauth-client/serve.mjs [--port 5174] [--api http://localhost:7071] [--client notes-sample]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).join(" ").match(/--\w+[ =]\S+/g)?.map((a) => a.slice(2).split(/[ =]/)) ?? []);
const port = Number(args.port ?? process.env.PORT ?? 5174);
const apiBaseUrl = (args.api ?? process.env.FUNCAUTH_API_URL ?? "http://localhost:7071").replace(/\/+$/, "");
const clientId = args.client ?? process.env.FUNCAUTH_CLIENT_ID ?? "notes-sample";
const files = { "/": ["index.html", "text/html; charset=utf-8"], "/app.js": ["app.js", "text/javascript; charset=utf-8"] };

createServer(async (request, response) => {
  const path = new URL(request.url, "http://localhost").pathname;
  const headers = {
    "Content-Security-Policy": `default-src 'self'; connect-src 'self' ${new URL(apiBaseUrl).origin}; style-src 'self' 'unsafe-inline'; img-src data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    // The code arrives in the query: never send it on in a Referer header.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
  };
  if (path === "/config.json") {
    response.writeHead(200, { ...headers, "Content-Type": "application/json" });
    return response.end(JSON.stringify({ apiBaseUrl, clientId }));
  }
  const [file, type] = files[path] ?? [];
  if (!file) {
    response.writeHead(404, { ...headers, "Content-Type": "text/plain" });
    return response.end("Not found\n");
  }
  response.writeHead(200, { ...headers, "Content-Type": type });
  response.end(await readFile(`${here}/${file}`));
}).listen(port, "127.0.0.1", () => console.log(`Sample OAuth client on http://localhost:${port} (FuncAuth ${apiBaseUrl}, client ${clientId})`));
