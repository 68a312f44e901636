#!/usr/bin/env bash
# The fault suite: Azurite (own data folder), the Key Vault stand-in and the app on loopback, 32 clients of mixed
# traffic while storage is paused, killed and restarted, Key Vault fails and the SMTP server (smtp4dev) is stopped;
# per-phase report (answers, latency, recovery, and the app's log volume), invariant check after each phase (tables, and no email lost from the outbox). About three minutes in all. Options: --short (8 clients, a few seconds per phase), --clients N, --deadline SECONDS, --hard-kill, --app-log PATH (the app's log lines).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet tool restore >/dev/null  # smtp4dev, pinned in .config/dotnet-tools.json
dotnet build bench/FuncAuth.FaultSuite -c Release --nologo -v quiet
exec dotnet bench/FuncAuth.FaultSuite/bin/Release/net10.0/FuncAuth.FaultSuite.dll "$@"
