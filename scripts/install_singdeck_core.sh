#!/usr/bin/env bash
# Builds singdeck-core (singdeck-core/: sing-box embedded as a library, plus the control
# service) with Go from the module proxy, with the same sing-box version, build tags and
# ldflags as scripts/install_sing_box.sh, and caches it. The cache key is a hash of the
# module's sources, so an edit rebuilds it. Prints the binary's path on the last line.
#
#   SINGDECK_SING_BOX=$(scripts/install_singdeck_core.sh | tail -n 1)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/singdeck-core"
tags="with_quic,with_utls,with_v2ray_api,with_clash_api"
sing_box_version="$(sed -nE 's/^\s*github.com\/sagernet\/sing-box v([0-9.]+).*/\1/p' "$src/go.mod" | head -n 1)"
hash="$( (cd "$src" && cat go.mod go.sum $(find . -name '*.go' -not -name '*_test.go' | sort)) | sha256sum | cut -c1-16)"
cache="${SINGDECK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/singdeck}/singdeck-core-$hash"
bin="$cache/bin/singdeck-core"

if [ ! -x "$bin" ] || ! "$bin" version 2>/dev/null | grep -q "^Tags: ${tags}\$"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install_singdeck_core: no Go toolchain found; cannot build singdeck-core" >&2
    exit 1
  fi
  echo "install_singdeck_core: building singdeck-core (sing-box $sing_box_version, tags $tags)" >&2
  start=$(date +%s)
  mkdir -p "$cache/bin"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -tags "$tags" \
    -ldflags "-s -w -checklinkname=0 -X github.com/sagernet/sing-box/constant.Version=${sing_box_version} -X main.buildTags=${tags}" \
    -o "$bin" .) >&2
  echo "install_singdeck_core: built in $(($(date +%s) - start)) s" >&2
fi
echo "$bin"
