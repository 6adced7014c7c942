#!/usr/bin/env bash
# Builds kube-apiserver from the k8s.io/kubernetes Go module. No release binary can be downloaded here, so a
# tiny wrapper module requires k8s.io/kubernetes and points every k8s.io staging module (required there as
# v0.0.0 with a ./staging replace) at its published v0.X.Y twin.
# Usage: build-kube.sh <k8s-version e.g. v1.34.4> <out-dir>
set -euo pipefail
version="$1"; out="$2"
staging_version="v0.${version#v1.}"
work="$out/kube-apiserver-src"
rm -rf "$work"; mkdir -p "$work" "$out"
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
modfile=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$modfile" ] || { echo "could not download k8s.io/kubernetes@$version" >&2; exit 1; }
{
  echo "module local/kube-apiserver-wrapper"
  echo
  echo "go $(sed -n 's/^go //p' "$modfile")"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$modfile" | sort -u | while read -r m; do
    echo "replace $m => $m $staging_version"
  done
} > go.mod
cat > main.go <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
GO
go mod tidy
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$version" | cut -d. -f2)"
  ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver.tmp" .
mv "$out/kube-apiserver.tmp" "$out/kube-apiserver"
"$out/kube-apiserver" --version
