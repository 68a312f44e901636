#!/usr/bin/env bash
# Runs FuncAuth locally on http://localhost:7071 against Azurite (started here, data kept in .azurite/), with a
# development signing key, and the demo SPA on http://localhost:5173. Ctrl+C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/azurite ] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p .azurite
node node_modules/azurite/dist/src/table/main.js --tableHost 127.0.0.1 --tablePort 10002 \
  --location .azurite --disableTelemetry --silent --skipApiVersionCheck &
azurite=$!
trap 'kill $azurite 2>/dev/null || true' EXIT

# A development key (P-256, PKCS#8 PEM) kept beside the local data, so tokens survive a restart of the service. A key
# file of an older release (base64, not PEM) is replaced.
if [ -z "${Auth__SigningKey:-}" ]; then
  grep -q "BEGIN PRIVATE KEY" .azurite/dev-signing-key.pem 2>/dev/null ||
    node -e "process.stdout.write(require('crypto').generateKeyPairSync('ec',{namedCurve:'P-256'}).privateKey.export({type:'pkcs8',format:'pem'}))" > .azurite/dev-signing-key.pem
  export Auth__SigningKey="$(cat .azurite/dev-signing-key.pem)"
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export Storage__ConnectionString="${Storage__ConnectionString:-UseDevelopmentStorage=true}"
export Cors__AllowedOrigins="${Cors__AllowedOrigins:-http://localhost:5173}"
export PORT="${PORT:-7071}"
dotnet run --project src/Functions -c Release &
app=$!
# Stop both on Ctrl+C or kill, whichever process the signal reaches first.
trap 'kill $app $azurite 2>/dev/null || true; wait 2>/dev/null' EXIT INT TERM

# The demo SPA (samples/spa) on http://localhost:5173, the default allowed origin, calling the API above.
FUNCAUTH_API_URL="${FUNCAUTH_API_URL:-http://localhost:$PORT}" node samples/spa/serve.mjs --port "${SPA_PORT:-5173}" &
spa=$!
trap 'kill $app $azurite $spa 2>/dev/null || true; wait 2>/dev/null' EXIT INT TERM
wait $app
