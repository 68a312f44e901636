#!/usr/bin/env bash
# Runs FuncAuth locally on http://localhost:7071 against Azurite (started here, data kept in .azurite/), with a
# development signing key, the demo SPA on http://localhost:5173 (also the sign-in page of the code flow), and a
# sample app that signs in through that flow on http://localhost:5174. Ctrl+C stops all.
# Email goes to smtp4dev (started here too): read it at http://localhost:5000 (SMTP on localhost:2525).
set -euo pipefail
cd "$(dirname "$0")/.."

{ [ -d node_modules/azurite ] && [ -d node_modules/uqr ]; } || npm ci --no-audit --no-fund --loglevel=error
mkdir -p .azurite
node node_modules/azurite/dist/src/table/main.js --tableHost 127.0.0.1 --tablePort 10002 \
  --location .azurite --disableTelemetry --silent --skipApiVersionCheck &
azurite=$!
node node_modules/azurite/dist/src/queue/main.js --queueHost 127.0.0.1 --queuePort 10001 \
  --location .azurite --disableTelemetry --silent --skipApiVersionCheck &
azurite_queue=$!
dotnet tool restore >/dev/null
mkdir -p .azurite/smtp4dev
dotnet tool run smtp4dev -- --urls=http://127.0.0.1:5000 --smtpport=2525 --bindaddress=127.0.0.1 --imapport= --pop3port= \
  --db= --nousersettings --baseappdatapath=.azurite/smtp4dev --tlsmode=None >/dev/null &
smtp4dev=$!
trap 'kill $azurite $azurite_queue $smtp4dev 2>/dev/null || true' EXIT

# A development key (P-256, PKCS#8 PEM) kept beside the local data, so tokens survive a restart of the service. A key
# file of an older release (base64, not PEM) is replaced.
if [ -z "${Auth__SigningKey:-}" ]; then
  grep -q "BEGIN PRIVATE KEY" .azurite/dev-signing-key.pem 2>/dev/null ||
    node -e "process.stdout.write(require('crypto').generateKeyPairSync('ec',{namedCurve:'P-256'}).privateKey.export({type:'pkcs8',format:'pem'}))" > .azurite/dev-signing-key.pem
  export Auth__SigningKey="$(cat .azurite/dev-signing-key.pem)"
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Storage__ConnectionString="${Storage__ConnectionString:-UseDevelopmentStorage=true}"
# The SPA first: its /authorize is the sign-in page of the code flow. The sample client calls /oauth/token and me.
export Cors__AllowedOrigins="${Cors__AllowedOrigins:-http://localhost:5173,http://localhost:5174}"
# The sample client (samples/oauth-client), registered as a third-party app (a consent screen).
export OAuth__Clients__0__ClientId="${OAuth__Clients__0__ClientId:-notes-sample}"
export OAuth__Clients__0__Name="${OAuth__Clients__0__Name:-Notes (sample app)}"
export OAuth__Clients__0__RedirectUris="${OAuth__Clients__0__RedirectUris:-http://localhost:5174/}"
export PORT="${PORT:-7071}"
export Email__SmtpHost="${Email__SmtpHost:-127.0.0.1}"
export Email__SmtpPort="${Email__SmtpPort:-2525}"
export Email__SmtpSecurity="${Email__SmtpSecurity:-None}"
export Email__From="${Email__From:-FuncAuth <no-reply@localhost>}"
export Email__LinkBaseUrl="${Email__LinkBaseUrl:-http://localhost:5173}"
# A local run stays off the internet: set Passwords__BreachCheck=true to try the breached-password check against
# the real range API.
export Passwords__BreachCheck="${Passwords__BreachCheck:-false}"
dotnet run --project src/Functions -c Release &
app=$!
# Stop both on Ctrl+C or kill, whichever process the signal reaches first.
trap 'kill $app $azurite $azurite_queue $smtp4dev 2>/dev/null || true; wait 2>/dev/null' EXIT INT TERM

# The demo SPA (samples/spa) on http://localhost:5173, the default allowed origin, calling the API above.
FUNCAUTH_API_URL="${FUNCAUTH_API_URL:-http://localhost:$PORT}" node samples/spa/serve.mjs --port "${SPA_PORT:-5173}" &
spa=$!
# The sample client on its own origin, signing in through the code flow with PKCE.
node samples/oauth-client/serve.mjs --port "${SAMPLE_CLIENT_PORT:-5174}" --api "${FUNCAUTH_API_URL:-http://localhost:$PORT}" --client "$OAuth__Clients__0__ClientId" &
sample=$!
trap 'kill $app $azurite $azurite_queue $smtp4dev $spa $sample 2>/dev/null || true; wait 2>/dev/null' EXIT INT TERM
wait $app
