#!/usr/bin/env bash
# Regenerates the TypeScript clients proto/stats.ts and proto/core_control.ts with protoc
# and ts-proto, and singdeck-core's Go code (singdeck-core/controlpb/) from
# proto/core_control.proto with protoc-gen-go and protoc-gen-go-grpc.
#
# Needs: protoc (Debian: protobuf-compiler), node and npm, go. ts-proto is installed with
# npm into a temporary directory, pinned, and removed afterwards; the Go plugins with
# `go install` into the same directory.
# Run from anywhere: `deno task proto` or `bash scripts/gen_proto.sh`.
set -euo pipefail

TS_PROTO_VERSION="2.18.0"
PROTOC_GEN_GO_VERSION="v1.36.11"
PROTOC_GEN_GO_GRPC_VERSION="v1.6.0"

# Each option, and why:
#   outputServices=nice-grpc            nice-grpc client/server types (StatsServiceClient, ...)
#   outputServices=generic-definitions  StatsServiceDefinition, what nice-grpc's createClient
#                                       and server.add take
#   forceLong=bigint                    int64/uint64 as bigint: traffic counters stay exact
#                                       past 2^53
#   esModuleInterop=true                default imports that work under Deno's npm support
#   useExactTypes=false                 fromPartial takes plain DeepPartial objects
#   importSuffix=.js is not needed: the only imports are npm packages mapped in deno.json.
TS_PROTO_OPTS="outputServices=nice-grpc,outputServices=generic-definitions,forceLong=bigint,esModuleInterop=true,useExactTypes=false"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v protoc >/dev/null 2>&1; then
  echo "protoc was not found: install it with 'apt-get install -y protobuf-compiler'" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm was not found: it is needed to install ts-proto $TS_PROTO_VERSION" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "Installing ts-proto@$TS_PROTO_VERSION into $tmp"
(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --silent --no-audit --no-fund "ts-proto@$TS_PROTO_VERSION" >/dev/null
)

mkdir -p "$tmp/out"
for name in stats core_control; do
  protoc \
    --plugin="protoc-gen-ts_proto=$tmp/node_modules/.bin/protoc-gen-ts_proto" \
    --ts_proto_out="$tmp/out" \
    --ts_proto_opt="$TS_PROTO_OPTS" \
    --proto_path="$root/proto" \
    "$root/proto/$name.proto"
  generated="$tmp/out/$name.ts"
  # ts-proto imports "@bufbuild/protobuf/wire" and "nice-grpc-common", both mapped in
  # deno.json, so Deno resolves them as they are. Fail loudly if a future ts-proto emits
  # any other specifier, rather than write a file that does not type-check.
  unknown="$(grep -oE 'from "[^"]+"' "$generated" | sort -u |
    grep -vE 'from "(@bufbuild/protobuf/wire|nice-grpc-common)"' || true)"
  if [ -n "$unknown" ]; then
    echo "proto/$name.ts imports specifiers that deno.json does not map:" >&2
    echo "$unknown" >&2
    exit 1
  fi
  cp "$generated" "$root/proto/$name.ts"
  echo "Wrote $root/proto/$name.ts"
done

if command -v go >/dev/null 2>&1; then
  GOBIN="$tmp/bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
  GOBIN="$tmp/bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
  PATH="$tmp/bin:$PATH" protoc \
    --go_out="$root/singdeck-core/controlpb" --go_opt=paths=source_relative \
    --go-grpc_out="$root/singdeck-core/controlpb" --go-grpc_opt=paths=source_relative \
    --proto_path="$root/proto" "$root/proto/core_control.proto"
  echo "Wrote $root/singdeck-core/controlpb/"
else
  echo "go was not found: singdeck-core/controlpb/ was not regenerated" >&2
fi
