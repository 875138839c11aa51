#!/usr/bin/env bash
# Builds a sing-box with the V2Ray API (not in release builds) from the Go module proxy
# and caches it. Prints the binary's path on the last line of stdout.
#
#   scripts/install_sing_box.sh            # build or reuse the cached binary
#   SINGDECK_SING_BOX=$(scripts/install_sing_box.sh | tail -n 1)
#   scripts/install_sing_box.sh --without-v2ray-api
#                                          # a build lacking the stats API (for tests)
#
# The build is skipped when the cached binary's `sing-box version` already shows the
# pinned version and every tag below.
set -euo pipefail

version="${SING_BOX_VERSION:-v1.14.1}"
tags="with_quic,with_utls,with_v2ray_api,with_clash_api"
flavour=""
if [ "${1:-}" = "--without-v2ray-api" ]; then
  tags="with_quic,with_utls"
  flavour="-no-v2ray-api"
fi
cache="${SINGDECK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/singdeck}/sing-box-${version}${flavour}"
bin="$cache/bin/sing-box"

is_current() {
  [ -x "$bin" ] || return 1
  local out
  out=$("$bin" version 2>/dev/null) || return 1
  grep -q "version ${version#v}" <<<"$out" || return 1
  grep -q "^Tags: ${tags}\$" <<<"$out" || return 1
}

if ! is_current; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install_sing_box: no Go toolchain found; cannot build sing-box" >&2
    exit 1
  fi
  echo "install_sing_box: building sing-box $version with tags $tags" >&2
  start=$(date +%s)
  mkdir -p "$cache/bin"
  GOBIN="$cache/bin" CGO_ENABLED=0 go install -trimpath \
    -tags "$tags" \
    -ldflags "-s -w -checklinkname=0 -X github.com/sagernet/sing-box/constant.Version=${version#v}" \
    "github.com/sagernet/sing-box/cmd/sing-box@${version}" >&2
  echo "install_sing_box: built in $(($(date +%s) - start)) s" >&2
  is_current || { echo "install_sing_box: built binary does not report $version with $tags" >&2; "$bin" version >&2; exit 1; }
fi
echo "$bin"
