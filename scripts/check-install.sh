#!/usr/bin/env bash
# Packs gs-compress and installs the tarball as a user would, with no npm flags: into a fresh
# project (local) and into a temporary global prefix (npm install -g --prefix). Each install is
# then exercised: `gs-compress --version`, and `gs-compress quickstart` (train, prune, export,
# verify) from the installed copy. Fails on a failed command or on any npm warning about
# unknown config. Prints the installed sizes and which onnxruntime ran.
#
#   scripts/check-install.sh [-- quickstart options]     e.g. scripts/check-install.sh -- --epochs 1 --train-rows 6000
#   KEEP=1 keeps the temporary folder.
set -euo pipefail
case "${1:-}" in
  -h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  '' | --) ;;
  *)
    echo "check-install.sh: unexpected argument $1 (see --help)" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
QS_ARGS=()
if [ "${1:-}" = "--" ]; then shift; QS_ARGS=("$@"); fi
T=$(mktemp -d "${TMPDIR:-/tmp}/gs-check-install.XXXXXX")
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$T"' EXIT
LOG="$T/log"
touch "$LOG"

step() { printf '\n$ %s\n' "$*" | tee -a "$LOG"; "$@" 2>&1 | tee -a "$LOG"; return "${PIPESTATUS[0]}"; }

echo "node $(node --version), npm $(npm --version); work folder $T"
step npm pack --pack-destination "$T" --silent
TGZ=$(ls "$T"/gs-compress-*.tgz)
echo "tarball: $(basename "$TGZ") $(du -h "$TGZ" | cut -f1)"

# Local: a fresh project that depends on the tarball.
mkdir -p "$T/project"
(cd "$T/project" && npm init -y >/dev/null)
(cd "$T/project" && step npm install "$TGZ")
(cd "$T/project" && step npx gs-compress --version)

# Global: npm install -g into a temporary prefix.
step npm install -g --prefix "$T/global" "$TGZ"
GS="$T/global/bin/gs-compress"
step "$GS" --version
(cd "$T" && step "$GS" quickstart --out "$T/qs-global" "${QS_ARGS[@]}")
(cd "$T/project" && step npx gs-compress quickstart --out "$T/qs-local" "${QS_ARGS[@]}")

if grep -qiE 'unknown (project |user |global |env )?config' "$LOG"; then
  echo "FAIL: npm warned about unknown config:"; grep -iE 'unknown .*config' "$LOG"; exit 1
fi
echo
echo "installed size, local project node_modules: $(du -sm "$T/project/node_modules" | cut -f1) MB"
echo "installed size, global prefix:              $(du -sm "$T/global" | cut -f1) MB"
for d in "$T/project/node_modules" "$T/global/lib/node_modules/gs-compress/node_modules"; do
  if [ -d "$d/onnxruntime-node" ]; then echo "$d: onnxruntime-node installed"; else echo "$d: onnxruntime-node not installed (WebAssembly runtime)"; fi
done
echo "largest packages (global):"
du -sm "$T/global/lib/node_modules/gs-compress/node_modules"/* "$T/global/lib/node_modules/gs-compress/node_modules"/@*/* 2>/dev/null | sort -rn | head -8
grep -h 'verified on' "$LOG" || true
echo "OK: local and global installs work, no unknown-config warnings"
