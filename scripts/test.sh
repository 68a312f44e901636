#!/usr/bin/env bash
# Runs every test: installs what they need first (Azurite from package-lock.json, NuGet packages), so it works on a
# fresh machine. Tests start Azurite (and smtp4dev) themselves on free loopback ports and stop it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error

# The browser tests drive the system's Chromium (Playwright downloads no browser); install it when it is missing.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
  echo "Chromium is missing: installing the chromium package for the browser tests (apt-get)."
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium-browser
fi

# --locked-mode: restore exactly the packages (and hashes) of the committed packages.lock.json files, or fail.
dotnet restore FuncAuth.sln --locked-mode
# smtp4dev, the SMTP server with an HTTP API that the email tests send to (pinned in .config/dotnet-tools.json).
dotnet tool restore
dotnet build FuncAuth.sln --no-restore -c Release

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The JavaScript client's unit tests (Node's built-in runner, TAP output).
node --test --test-reporter=tap clients/js/test/*.test.js 2>&1 | tee "$log" || status=$?
# One test project at a time (-m:1): the fault suite holds the app to latency targets on the machine's cores, which
# the main project's thousand tests would otherwise share with it (a hash at low priority then outlives its deadline).
dotnet test FuncAuth.sln --no-build -c Release -m:1 "$@" 2>&1 | tee -a "$log" || status=$?
[ -d artifacts/screenshots ] && echo "Screenshots of the demo SPA taken by the browser tests: artifacts/screenshots/"

# One closing line over all test projects.
awk '/(Passed|Failed)! +-/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
