#!/usr/bin/env bash
# Builds the deployment package of the function app: the Native AOT linux-x64 publish of src/Functions (the one
# executable FuncAuth.Functions, host.json and one folder per function), zipped with the executable's execute bit kept
# and without symbol files (the .dbg beside the executable is for debugging a crash dump, not for the server).
# azd runs it as the api service's prepackage hook; for a plain az deployment, run it yourself and deploy the zip it
# prints. Run from a Linux or macOS shell (WSL on Windows): zips written by Windows tools lose the execute bit.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

zip_file="${FUNCAUTH_PACKAGE:-artifacts/api/funcauth-api.zip}"
# FUNCAUTH_PUBLISH_OUTPUT: zip a folder already published by the command below instead of publishing again.
publish_dir="${FUNCAUTH_PUBLISH_OUTPUT:-artifacts/api/publish}"

rm -f "$zip_file"
mkdir -p "$(dirname "$zip_file")"

if [ -z "${FUNCAUTH_PUBLISH_OUTPUT:-}" ]; then
  rm -rf "$publish_dir"
  # PublishAot is the project's own setting (not a global property here: that would reach src/Core too and change its
  # package graph). RestoreLockedMode: the packages the committed packages.lock.json files pin, and nothing else.
  dotnet publish src/Functions/FuncAuth.Functions.csproj -c Release -r linux-x64 --self-contained \
    -p:RestoreLockedMode=true -o "$publish_dir"
fi

# The host starts nothing without these; fail here rather than after the upload.
for required in FuncAuth.Functions host.json; do
  if [ ! -f "$publish_dir/$required" ]; then
    echo "package: $publish_dir/$required is missing from the publish output" >&2
    exit 1
  fi
done
if ! ls "$publish_dir"/*/function.json >/dev/null 2>&1; then
  echo "package: no <Function>/function.json in the publish output" >&2
  exit 1
fi
# A runtime beside the executable means a JIT build, not the Native AOT one the package is meant to be.
if [ -f "$publish_dir/libcoreclr.so" ] || [ -f "$publish_dir/FuncAuth.Functions.dll" ]; then
  echo "package: $publish_dir is not a Native AOT publish (it holds the .NET runtime or IL)" >&2
  exit 1
fi
chmod +x "$publish_dir/FuncAuth.Functions"

case "$zip_file" in
  /*) zip_path="$zip_file" ;;
  *) zip_path="$root/$zip_file" ;;
esac
if command -v zip >/dev/null 2>&1; then
  # Info-ZIP stores each file's Unix mode, so the executable stays executable once the platform unpacks it.
  (cd "$publish_dir" && zip -q -r -X "$zip_path" . -x '*.dbg' '*.pdb')
elif command -v python3 >/dev/null 2>&1; then
  python3 - "$publish_dir" "$zip_path" <<'PY'
import os, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, _, files in os.walk(source):
        for name in sorted(files):
            if name.endswith((".dbg", ".pdb")):
                continue
            path = os.path.join(folder, name)
            entry = zipfile.ZipInfo.from_file(path, os.path.relpath(path, source))
            entry.create_system = 3  # Unix, so unzip honours the mode below
            executable = entry.filename == "FuncAuth.Functions" or os.stat(path).st_mode & 0o111
            mode = 0o755 if executable else 0o644
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as data:
                archive.writestr(entry, data.read())
PY
else
  echo "package: needs zip or python3 to build the archive" >&2
  exit 1
fi

echo "package: $zip_file"
