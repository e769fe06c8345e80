#!/usr/bin/env bash
# Builds the local Kubernetes control plane from the Go module proxy: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok and helm, and the
# servers started beside it: Kueue and SeaweedFS (its S3 gateway), at the versions pinned in
# hack/control-plane-versions.env.
#
# Everything is cached outside the repository ($DISTILLERY_CACHE, default ~/.cache/distillery):
#   go/mod/ and go/build/   one Go module cache and one build cache for every server and
#                           version, so packages two servers share are compiled once
#   control-plane/<kube-version>/bin/   the finished binaries (a stamp or --version says which
#                           version each is); src/ the wrapper modules
# A binary that already has the right version is not rebuilt, so a second run does no build.
# Each group builds under its own lock: a test that needs the API server waits only for etcd and
# Kubernetes, even while another process builds SeaweedFS. The etcd, kube-apiserver and kubectl
# binaries are also linked into ~/.kubeapitest/k8s/<version>-linux-amd64/, where Fabric8
# kube-api-test looks.
#
# Usage: hack/build-control-plane.sh [GROUP...]   build what is missing of these groups:
#          api      etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#          helm     helm            kwok   kwok            kueue  Kueue's manager
#          weed     SeaweedFS (alias: seaweedfs)
#          cluster  api helm kwok kueue (hack/cluster without S3, the operator's tests)
#          all      everything (the default)
#        hack/build-control-plane.sh --background [GROUP...]
#                                  start that build detached and return at once (the Maven build
#                                  does this first, so the Go builds overlap the Java tests, which
#                                  wait only for the groups they use); log in go/background.log
#        hack/build-control-plane.sh --print-bin  print the bin directory only
#        hack/build-control-plane.sh --print-module-dir kueue|seaweedfs
#                                                 print that module's unpacked source (manifests)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=control-plane-versions.env
source "$here/control-plane-versions.env"

cache="${DISTILLERY_CACHE:-$HOME/.cache/distillery}"
go_root="$cache/go"
cache_root="$cache/control-plane/$KUBE_VERSION"
bin="$cache_root/bin"
if [[ "${1:-}" == "--print-bin" ]]; then
  echo "$bin"
  exit 0
fi
if [[ "${1:-}" == "--print-module-dir" ]]; then
  case "${2:-}" in
    kueue) echo "$go_root/mod/sigs.k8s.io/kueue@$KUEUE_VERSION" ;;
    seaweedfs) echo "$go_root/mod/github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" ;;
    *) echo "usage: $0 --print-module-dir kueue|seaweedfs" >&2 && exit 2 ;;
  esac
  exit 0
fi
if [[ "${1:-}" == "--background" ]]; then
  shift
  mkdir -p "$go_root"
  setsid nohup "${BASH_SOURCE[0]}" "$@" >"$go_root/background.log" 2>&1 </dev/null &
  printf '[control-plane] building %s in the background (log: %s)\n' "${*:-all}" "$go_root/background.log"
  exit 0
fi

export GOMODCACHE="$go_root/mod"
export GOCACHE="$go_root/build"
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
mkdir -p "$bin" "$GOMODCACHE" "$GOCACHE" "$cache_root/src" "$go_root/locks"

log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() {
  printf '[control-plane] FAILED at step "%s": %s\n' "$1" "$2" >&2
  printf '[control-plane] check: %s\n' "$3" >&2
  exit 1
}

command -v go >/dev/null 2>&1 ||
  fail "find go" "the go command is not on PATH" "install Go 1.24 or newer (Debian: apt-get install golang) and re-run"

# timed STEP MODULE CMD...: runs CMD, prints its duration, fails naming the step and module.
timed() {
  local step="$1" module="$2"
  shift 2
  local start=$SECONDS
  local step_log="$cache_root/logs/${module//\//_}.log"
  mkdir -p "$cache_root/logs"
  log "$step ..."
  if ! "$@" >"$step_log" 2>&1; then
    tail -n 30 "$step_log" >&2
    fail "$step" "module $module (full log: $step_log)" \
      "that the Go module proxy is reachable (go env GOPROXY = $(go env GOPROXY)) and serves $module; that $(go version) satisfies the module's go directive"
  fi
  log "$step done in $((SECONDS - start))s"
}

# has_version BINARY EXPECTED ARGS...: true when BINARY exists and its version output contains EXPECTED.
# grep reads all the output (no -q): with pipefail, a binary killed by SIGPIPE after an early
# match would fail the check and rebuild everything.
has_version() {
  local binary="$1" expected="$2"
  shift 2
  [[ -x "$bin/$binary" ]] || return 1
  # Capture first: `cmd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
  local out
  out="$("$bin/$binary" "$@" 2>/dev/null)" || return 1
  [[ "$out" == *"$expected"* ]]
}

kube_minor="${KUBE_VERSION#v1.}"
kube_minor="${kube_minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
version_ldflags() {
  local flags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done
  echo "$flags"
}

# Kubernetes: a wrapper module that replaces every staging module (pinned v0.0.0 in
# k8s.io/kubernetes's go.mod) by its published v0.Y.Z release.
build_kubernetes() {
  local src="$cache_root/src/kubernetes"
  local staging_version="v0.${KUBE_VERSION#v1.}"
  if ! { has_version kube-apiserver "$KUBE_VERSION" --version &&
    has_version kube-controller-manager "$KUBE_VERSION" --version &&
    has_version kube-scheduler "$KUBE_VERSION" --version &&
    has_version kubectl "$KUBE_VERSION" version --client; }; then
    mkdir -p "$src"
    local gomod
    gomod="$(cd "$src" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" 2>/dev/null | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')" ||
      true
    [[ -n "$gomod" && -f "$gomod" ]] ||
      fail "download k8s.io/kubernetes" "module k8s.io/kubernetes@$KUBE_VERSION" \
        "that the Go module proxy is reachable (go env GOPROXY = $(go env GOPROXY))"
    {
      echo "module distillery.local/kubernetes-build"
      echo
      echo "go 1.24"
      echo
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      echo
      grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" |
        awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
    } >"$src/go.mod"
    cat >"$src/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    timed "resolve Kubernetes $KUBE_VERSION modules" "k8s.io/kubernetes@$KUBE_VERSION" \
      bash -c "cd '$src' && go mod tidy"
    local ldflags
    ldflags="$(version_ldflags)"
    # One go build for the four commands: their shared packages compile once, links run in parallel.
    timed "build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION" \
      "k8s.io/kubernetes@$KUBE_VERSION" \
      bash -c "cd '$src' && go build -trimpath -ldflags '$ldflags' -o '$bin/' k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
  else
    log "Kubernetes $KUBE_VERSION binaries are cached"
  fi
}

build_etcd() {
  local src="$cache_root/src/etcd"
  if has_version etcd "${ETCD_VERSION#v}" --version; then
    log "etcd $ETCD_VERSION is cached"
    return
  fi
  mkdir -p "$src"
  cat >"$src/go.mod" <<GOMOD
module distillery.local/etcd-build

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$src/tools.go" <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  timed "resolve etcd $ETCD_VERSION modules" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" bash -c "cd '$src' && go mod tidy"
  timed "build etcd $ETCD_VERSION" "go.etcd.io/etcd/server/v3" \
    bash -c "cd '$src' && go build -trimpath -o '$bin/etcd' go.etcd.io/etcd/server/v3"
}

# kwok v0.7 carries its default node and pod stages (initialise, heartbeat, ready, complete,
# delete) built in; from v0.8 on they must be passed with --config (docs/design.md).
build_kwok() {
  if has_version kwok "$KWOK_VERSION" --version; then
    log "kwok $KWOK_VERSION is cached"
  else
    timed "build kwok $KWOK_VERSION" "sigs.k8s.io/kwok@$KWOK_VERSION" \
      env GOBIN="$bin" go install -trimpath \
      -ldflags "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  fi
}

build_helm() {
  if has_version helm "$HELM_VERSION" version --short; then
    log "helm $HELM_VERSION is cached"
    return
  fi
  timed "build helm $HELM_VERSION" "helm.sh/helm/v3@$HELM_VERSION" \
    env GOBIN="$bin" go install -trimpath \
    -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

# stamped NAME VERSION: the binary exists and a stamp beside it records the version it was built
# at (neither Kueue's manager nor weed prints a module version).
stamped() { [[ -x "$bin/$1" && "$(cat "$bin/.$1.version" 2>/dev/null)" == "$2" ]]; }

# go_install NAME VERSION PACKAGE@VERSION: builds a module's command into $bin and stamps it.
go_install() {
  local name="$1" version="$2" package="$3"
  if stamped "$name" "$version"; then
    log "$name $version is cached"
    return
  fi
  timed "build $name $version" "$package" env GOBIN="$bin" go install -trimpath "$package"
  echo "$version" >"$bin/.$name.version"
}

build_kueue() { go_install kueue "$KUEUE_VERSION" "sigs.k8s.io/kueue/cmd/kueue@$KUEUE_VERSION"; }

# SeaweedFS's go.mod has a replace directive (go-bip39 => cosmos/go-bip39), which `go install
# pkg@version` refuses; a wrapper module repeats it and builds the weed command from there.
build_seaweedfs() {
  if stamped weed "$SEAWEEDFS_VERSION"; then
    log "weed $SEAWEEDFS_VERSION is cached"
    return
  fi
  local src="$cache_root/src/seaweedfs"
  mkdir -p "$src"
  cat >"$src/go.mod" <<GOMOD
module distillery.local/seaweedfs-build

go 1.24

replace github.com/tyler-smith/go-bip39 => github.com/cosmos/go-bip39 v1.0.0
GOMOD
  timed "resolve seaweedfs $SEAWEEDFS_VERSION modules" "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" \
    bash -c "cd '$src' && go get 'github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION'"
  timed "build weed $SEAWEEDFS_VERSION" "github.com/seaweedfs/seaweedfs/weed" \
    bash -c "cd '$src' && go build -trimpath -o '$bin/weed' github.com/seaweedfs/seaweedfs/weed"
  echo "$SEAWEEDFS_VERSION" >"$bin/.weed.version"
}

# Fabric8 kube-api-test finds etcd, kube-apiserver and kubectl here and downloads nothing.
link_for_kube_api_test() {
  local dir="$HOME/.kubeapitest/k8s/${KUBE_VERSION#v}-linux-amd64"
  mkdir -p "$dir"
  for b in etcd kube-apiserver kubectl; do
    ln -sf "$bin/$b" "$dir/$b"
  done
  log "kube-api-test binaries linked in $dir"
}

# locked NAME FUNCTION: runs FUNCTION holding NAME's lock, so two processes never build the same
# group at once (the second waits, then finds it cached) while different groups build side by side.
locked() {
  (
    exec 9>"$go_root/locks/$1.lock"
    flock 9
    "$2"
  )
}

build_api() {
  locked etcd build_etcd
  locked kubernetes build_kubernetes
  link_for_kube_api_test
}

# groups GROUP...: the groups to build, expanded and in build order (what the tests need first).
groups=()
for g in "${@:-all}"; do
  case "$g" in
    api | helm | kwok | kueue) groups+=("$g") ;;
    weed | seaweedfs) groups+=(weed) ;;
    cluster) groups+=(api helm kwok kueue) ;;
    all) groups+=(weed api helm kwok kueue) ;;
    *) echo "usage: $0 [--background] [api|helm|kwok|kueue|weed|cluster|all ...] | --print-bin | --print-module-dir kueue|seaweedfs" >&2 && exit 2 ;;
  esac
done

total_start=$SECONDS
log "building ${*:-all} into $bin (Go $(go version | awk '{print $3}'))"
declare -A done_groups=()
for g in "${groups[@]}"; do
  [[ -n "${done_groups[$g]:-}" ]] && continue
  done_groups[$g]=1
  case "$g" in
    api) build_api ;;
    helm) locked helm build_helm ;;
    kwok) locked kwok build_kwok ;;
    kueue) locked kueue build_kueue ;;
    weed) locked weed build_seaweedfs ;;
  esac
done
log "${*:-all} ready in $((SECONDS - total_start))s: $bin"
