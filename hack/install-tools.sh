#!/usr/bin/env bash
# Installs the tools the tests use besides the control plane, at the versions pinned in
# hack/tool-versions.env, into $DISTILLERY_CACHE (default ~/.cache/distillery)/tools/<tool>-<version>.
# An installed tool is not installed again, so a second run does nothing. Prints nothing but errors
# unless asked for a path.
#
# Usage: hack/install-tools.sh                 install every tool that is missing
#        hack/install-tools.sh --print TOOL    print TOOL's install directory (installing it first)
#        hack/install-tools.sh --vendor-three DIR  copy the three.js files the viewer page uses to DIR
# Tools: gltf-validator (the Khronos glTF validator, an npm package run with node)
#        prometheus     (prometheus and promtool in <dir>/usr/bin, from the Debian package)
#        three          (three.js, an npm package; the build vendors a few of its modules)
#        chromium       (Chromium and ChromeDriver in <dir>/usr/lib/chromium, libraries in <dir>/usr/lib)
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

# deb_tool NAME PACKAGE VERSION: downloads the Debian package at VERSION and unpacks it (dpkg -x),
# so nothing is installed system-wide and no root is needed for the files themselves.
deb_tool() {
  local dir="$cache/$1-$3"
  if [[ ! -f "$dir/.installed" ]]; then
    command -v apt-get >/dev/null || die "apt-get is missing: $2 $3 comes from Debian's packages"
    local staging
    staging="$(mktemp -d "$cache/.$1-XXXXXX")"
    (cd "$staging" && apt-get download -q "$2=$3" >&2 2>/dev/null) ||
      (cd "$staging" && apt-get update -q >&2 && apt-get download -q "$2=$3" >&2) ||
      die "apt-get could not download $2=$3"
    dpkg -x "$staging"/"$2"_*.deb "$staging" || die "cannot unpack $2"
    rm -f "$staging"/*.deb
    touch "$staging/.installed"
    rm -rf "$dir"
    mv "$staging" "$dir"
  fi
  echo "$dir"
}

# browser: Chromium and ChromeDriver at CHROMIUM_DEB_VERSION plus the packages they need that this
# machine does not have (apt-get's own answer), all unpacked into one directory; run with
# LD_LIBRARY_PATH=<dir>/usr/lib/x86_64-linux-gnu:<dir>/usr/lib/x86_64-linux-gnu/pulseaudio.
browser() {
  local dir="$cache/chromium-$CHROMIUM_DEB_VERSION"
  if [[ ! -f "$dir/.installed" ]]; then
    command -v apt-get >/dev/null || die "apt-get is missing: Chromium comes from Debian's packages"
    local wanted=(chromium="$CHROMIUM_DEB_VERSION" chromium-common="$CHROMIUM_DEB_VERSION"
      chromium-driver="$CHROMIUM_DEB_VERSION")
    local missing
    missing="$(apt-get install --dry-run --no-install-recommends "${wanted[@]}" 2>/dev/null |
      awk '/^Inst / && $2 !~ /^chromium/ {print $2}')"
    local staging
    staging="$(mktemp -d "$cache/.chromium-XXXXXX")"
    # shellcheck disable=SC2086
    (cd "$staging" && apt-get download -q "${wanted[@]}" $missing >&2) ||
      die "apt-get could not download ${wanted[*]} $missing"
    local deb
    for deb in "$staging"/*.deb; do
      dpkg -x "$deb" "$staging" || die "cannot unpack $deb"
    done
    rm -f "$staging"/*.deb
    touch "$staging/.installed"
    rm -rf "$dir"
    mv "$staging" "$dir"
  fi
  echo "$dir"
}

# install TOOL: installs TOOL under its own lock (two processes never install the same tool at once;
# a test waiting for Chromium does not hold up the build vendoring three.js) and prints its dir.
install() {
  (
    exec 9>"$cache/.$1.lock"
    flock 9
    install_unlocked "$1"
  )
}

install_unlocked() {
  case "$1" in
    gltf-validator) npm_tool gltf-validator "$GLTF_VALIDATOR_VERSION" ;;
    prometheus) deb_tool prometheus prometheus "$PROMETHEUS_DEB_VERSION" ;;
    three) npm_tool three "$THREE_VERSION" ;;
    chromium) browser ;;
    *) die "unknown tool '$1' (known: gltf-validator, prometheus, three, chromium)" ;;
  esac
}

# vendor_three DIR: the ES modules the viewer imports, under DIR/three/ with three's own layout, so
# their relative imports resolve.
vendor_three() {
  local src
  src="$(install three)/node_modules/three"
  local f
  for f in LICENSE build/three.module.js build/three.core.js \
    examples/jsm/controls/OrbitControls.js examples/jsm/loaders/GLTFLoader.js \
    examples/jsm/utils/BufferGeometryUtils.js examples/jsm/utils/SkeletonUtils.js; do
    [[ -f "$src/$f" ]] || die "three $THREE_VERSION has no $f"
    mkdir -p "$1/three/$(dirname "$f")"
    cp "$src/$f" "$1/three/$f"
  done
}

if [[ "${1:-}" == "--vendor-three" ]]; then
  [[ -n "${2:-}" ]] || die "--vendor-three needs a directory"
  vendor_three "$2"
elif [[ "${1:-}" == "--print" ]]; then
  [[ -n "${2:-}" ]] || die "--print needs a tool name"
  install "$2"
else
  install gltf-validator >/dev/null
  install prometheus >/dev/null
  install chromium >/dev/null
fi
