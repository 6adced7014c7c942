#!/usr/bin/env bash
# Builds etcd from go.etcd.io/etcd/server/v3. `go install` of etcd fails on the replace directives of its own
# go.mod, so a wrapper module requires the server module and calls its etcdmain.
# Usage: build-etcd.sh <etcd-version e.g. v3.6.5> <out-dir>
set -euo pipefail
version="$1"; out="$2"
work="$out/etcd-src"
rm -rf "$work"; mkdir -p "$work" "$out"
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
cat > go.mod <<MOD
module local/etcd-wrapper

go 1.24

require go.etcd.io/etcd/server/v3 $version
MOD
cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
GO
go mod tidy
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" .
mv "$out/etcd.tmp" "$out/etcd"
"$out/etcd" --version
