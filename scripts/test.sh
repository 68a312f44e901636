#!/usr/bin/env bash
# Runs every test: installs what they need first (Azurite from package-lock.json, NuGet packages), so it works on a
# fresh machine. Tests start Azurite themselves on free loopback ports and stop it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
dotnet restore FuncAuth.sln
dotnet build FuncAuth.sln --no-restore -c Release
dotnet test FuncAuth.sln --no-build -c Release --logger "console;verbosity=normal" "$@"
