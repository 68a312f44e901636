#!/usr/bin/env bash
# The published app under load, against Azurite on loopback. Publishes the Native AOT build and the ReadyToRun build
# once each into artifacts/bench/ (reused on later runs; --republish rebuilds them), then:
#   bash bench/load.sh                    load: signup, login, refresh, me at 1, 8 and 32 clients, AOT and R2R interleaved
#   bash bench/load.sh coldstart [N]      N cold starts of each build, alternating, and the package sizes
#   bash bench/load.sh gc                 the AOT build at 8 clients under several GC settings
#   bash bench/load.sh peer               the AOT build beside an ASP.NET Core Identity API server (bench/FuncAuth.IdentityPeer,
#                                         SQLite), 8 clients, login/refresh/me, windows interleaved; CPU per request of each
# Extra options go to the benchmark: --clients 1,8,32 --duration 3 --reps 3 --ops signup,login,refresh,me
set -euo pipefail
cd "$(dirname "$0")/.."

mode=load
if [ "${1:-}" = "--republish" ]; then rm -rf artifacts/bench; shift; fi
case "${1:-}" in load|coldstart|gc|peer) mode=$1; shift ;; esac

[ -d node_modules/azurite ] || npm ci --no-audit --no-fund --loglevel=error
aot=artifacts/bench/aot
r2r=artifacts/bench/r2r
if [ ! -x "$aot/FuncAuth.Functions" ]; then
  dotnet publish src/Functions -c Release -o "$aot" -nologo -v quiet
fi
if [ ! -x "$r2r/FuncAuth.Functions" ] && [ "$mode" != gc ] && [ "$mode" != peer ]; then
  # The comparison build's package graph (no ILCompiler, a crossgen pack) is not the one src/Functions/packages.lock.json
  # pins: its lock file goes beside the build instead of rewriting the committed one.
  dotnet publish src/Functions -c Release -p:PublishAot=false -p:PublishReadyToRun=true -p:SelfContained=true \
    -p:NuGetLockFilePath="$PWD/$r2r.packages.lock.json" -o "$r2r" -nologo -v quiet
fi
dotnet build bench/FuncAuth.Benchmarks -c Release --nologo -v quiet
[ "$mode" != peer ] || dotnet build bench/FuncAuth.IdentityPeer -c Release --nologo -v quiet
bench=(dotnet bench/FuncAuth.Benchmarks/bin/Release/net10.0/FuncAuth.Benchmarks.dll)

case "$mode" in
  load) exec "${bench[@]}" load --app "aot=$aot" --app "r2r=$r2r" "$@" ;;
  coldstart)
    runs=10
    if [[ "${1:-}" =~ ^[0-9]+$ ]]; then runs=$1; shift; fi
    exec "${bench[@]}" coldstart "$runs" --app "aot=$aot" --app "r2r=$r2r" "$@" ;;
  gc)
    # A Native AOT executable links one GC: the workstation one unless told otherwise, and then DOTNET_gcServer=1 is
    # ignored without a word. The GC comparison runs a build that links the server GC too (its default stays workstation).
    svr=artifacts/bench/aot-svrgc
    if [ ! -x "$svr/FuncAuth.Functions" ]; then
      # The native link's output in obj/ is reused when it looks up to date, and a changed IlcLinkServerGC does not
      # make it look stale: without the removal the "server" build is the workstation one copied again. Removed again
      # after, so the next ordinary publish does not copy the server-GC link either.
      native=src/Functions/obj/Release/net10.0/linux-x64/native
      rm -rf "$native"
      dotnet publish src/Functions -c Release -p:IlcLinkServerGC=true -o "$svr" -nologo -v quiet
      rm -rf "$native"
    fi
    exec "${bench[@]}" gc --app "aot=$svr" "$@" ;;
  peer) exec "${bench[@]}" load --app "aot=$aot" --peer "identity=bench/FuncAuth.IdentityPeer/bin/Release/net10.0" \
          --clients 8 --ops login,refresh,me --warmup 3 --reps 5 "$@" ;;
esac
