#!/usr/bin/env bash
# Runs every test: installs what they need first (Azurite from package-lock.json, NuGet packages), so it works on a
# fresh machine. Tests start Azurite (and smtp4dev) themselves on free loopback ports and stop it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
dotnet restore FuncAuth.sln
# smtp4dev, the SMTP server with an HTTP API that the email tests send to (pinned in .config/dotnet-tools.json).
dotnet tool restore
dotnet build FuncAuth.sln --no-restore -c Release

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test FuncAuth.sln --no-build -c Release "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test projects.
awk '/(Passed|Failed)! +-/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
