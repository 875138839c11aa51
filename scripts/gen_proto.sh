#!/usr/bin/env bash
# Regenerates proto/stats.ts from proto/stats.proto with protoc and ts-proto.
#
# Needs: protoc (Debian: protobuf-compiler), node and npm. ts-proto is installed with
# npm into a temporary directory, pinned, and removed afterwards.
# Run from anywhere: `deno task proto` or `bash scripts/gen_proto.sh`.
set -euo pipefail

TS_PROTO_VERSION="2.18.0"

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
out_file="$root/proto/stats.ts"

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
protoc \
  --plugin="protoc-gen-ts_proto=$tmp/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$tmp/out" \
  --ts_proto_opt="$TS_PROTO_OPTS" \
  --proto_path="$root/proto" \
  "$root/proto/stats.proto"

generated="$tmp/out/stats.ts"
# ts-proto imports "@bufbuild/protobuf/wire" and "nice-grpc-common", both mapped in
# deno.json, so Deno resolves them as they are. Fail loudly if a future ts-proto emits
# any other specifier, rather than write a file that does not type-check.
unknown="$(grep -oE 'from "[^"]+"' "$generated" | sort -u |
  grep -vE 'from "(@bufbuild/protobuf/wire|nice-grpc-common)"' || true)"
if [ -n "$unknown" ]; then
  echo "proto/stats.ts imports specifiers that deno.json does not map:" >&2
  echo "$unknown" >&2
  exit 1
fi

cp "$generated" "$out_file"
echo "Wrote $out_file"
