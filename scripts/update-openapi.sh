#!/usr/bin/env bash
# Rewrites docs/openapi.json from what the app serves at GET /api/openapi.json (after an intended API change).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build FuncAuth.sln -c Release
FUNCAUTH_UPDATE_OPENAPI=1 dotnet test tests/FuncAuth.Tests -c Release --no-build \
  --filter "FullyQualifiedName~FuncAuth.Tests.OpenApi.OpenApiDocumentTests.TheCommittedDocumentEqualsTheGeneratedOne"
git --no-pager diff --stat -- docs/openapi.json
