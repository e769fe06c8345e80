#!/usr/bin/env bash
# Installs the tools the tests use besides the control plane, at the versions pinned in
# hack/tool-versions.env, into $DISTILLERY_CACHE (default ~/.cache/distillery)/tools/<tool>-<version>.
# An installed tool is not installed again, so a second run does nothing. Prints nothing but errors
# unless asked for a path.
#
# Usage: hack/install-tools.sh                 install every tool that is missing
#        hack/install-tools.sh --print TOOL    print TOOL's install directory (installing it first)
# Tools: gltf-validator (the Khronos glTF validator, an npm package run with node)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tool-versions.env
source "$here/tool-versions.env"
cache="${DISTILLERY_CACHE:-$HOME/.cache/distillery}/tools"
mkdir -p "$cache"

die() {
  printf '[tools] ERROR: %s\n' "$*" >&2
  exit 1
}

# npm_tool NAME VERSION: installs the npm package NAME@VERSION into its own prefix.
npm_tool() {
  local dir="$cache/$1-$2"
  if [[ ! -f "$dir/.installed" ]]; then
    command -v npm >/dev/null || die "npm is missing: install Node.js (Debian: apt-get install nodejs npm)"
    local staging
    staging="$(mktemp -d "$cache/.$1-XXXXXX")"
    npm install --prefix "$staging" "$1@$2" --no-audit --no-fund --loglevel=error >&2 ||
      die "npm could not install $1@$2"
    touch "$staging/.installed"
    rm -rf "$dir"
    mv "$staging" "$dir"
  fi
  echo "$dir"
}

install() {
  case "$1" in
    gltf-validator) npm_tool gltf-validator "$GLTF_VALIDATOR_VERSION" ;;
    *) die "unknown tool '$1' (known: gltf-validator)" ;;
  esac
}

# One install at a time (parallel test runs would share the cache).
exec 9>"$cache/.lock"
flock 9

if [[ "${1:-}" == "--print" ]]; then
  [[ -n "${2:-}" ]] || die "--print needs a tool name"
  install "$2"
else
  install gltf-validator >/dev/null
fi
