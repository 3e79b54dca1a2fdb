#!/usr/bin/env bash
# Builds librdkafka's rdkafka_performance (the native client of the `native` bench scenario, issue 20)
# into bench/rdkafka/bin/ from librdkafka's source release as Debian serves it (GitHub need not be
# reachable). No root and no system -dev packages: SSL, SASL, zstd, GSSAPI and curl are configured
# off, lz4 is librdkafka's bundled copy (the scenario's lz4 runs need it), zlib is used when its
# header is present. The static library is built and the example linked against it, so nothing is
# installed. Cached: when the binary is newer than this script, it does nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=2.0.2
sha256=f321bcb1e015a34114c83cf1aa7b99ee260236aab096b85c003170c90a47ca9d
url="http://deb.debian.org/debian/pool/main/libr/librdkafka/librdkafka_${version}.orig.tar.gz"
bin="$here/bin/rdkafka_performance"
build="$here/build"

if [[ -x "$bin" && "$bin" -nt "${BASH_SOURCE[0]}" ]]; then exit 0; fi

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench/rdkafka/setup.sh: '$1' not found on PATH: $2" >&2; exit 1; }; }
need curl "install curl (Debian: apt-get install curl)"
need cc "install a C compiler (Debian: apt-get install build-essential)"
need make "install make (Debian: apt-get install build-essential)"
need sha256sum "install coreutils"

mkdir -p "$build" "$here/bin"
tarball="$build/librdkafka_${version}.orig.tar.gz"
if [[ ! -f "$tarball" ]] || ! echo "$sha256  $tarball" | sha256sum -c --status; then
  echo "bench/rdkafka: downloading $url" >&2
  curl -sSfL -o "$tarball.part" "$url" || { echo "bench/rdkafka/setup.sh: download failed ($url)" >&2; exit 1; }
  echo "$sha256  $tarball.part" | sha256sum -c --status \
    || { echo "bench/rdkafka/setup.sh: SHA256 of $url is not $sha256" >&2; rm -f "$tarball.part"; exit 1; }
  mv "$tarball.part" "$tarball"
fi

src="$build/librdkafka-$version"
rm -rf "$src"
tar -xzf "$tarball" -C "$build"
zlib=--disable-zlib
if echo '#include <zlib.h>' | cc -E -x c - >/dev/null 2>&1; then zlib=--enable-zlib; fi
echo "bench/rdkafka: building librdkafka $version (static, $zlib) and rdkafka_performance..." >&2
cd "$src"
# --no-download: configure must not fetch mklove modules from GitHub; --disable-lz4-ext: the
# bundled lz4; --disable-regex-ext and syslog stay at their defaults (libc).
./configure --no-download --disable-ssl --disable-gssapi --disable-zstd --disable-curl \
  --disable-lz4-ext "$zlib" >"$build/configure.log" 2>&1 \
  || { echo "bench/rdkafka/setup.sh: configure failed, see $build/configure.log" >&2; exit 1; }
nice make -j2 -C src librdkafka.a >"$build/make.log" 2>&1 \
  || { echo "bench/rdkafka/setup.sh: make failed, see $build/make.log" >&2; exit 1; }
# The libraries librdkafka.a needs, as configure found them (pthread, zlib, dl, ...).
libs="$(sed -n 's/^LIBS+=//p; s/^LIBS=//p' Makefile.config | tr '\n' ' ')"
# shellcheck disable=SC2086 # $libs is a list of linker flags
nice cc -O2 -Isrc -o "$bin.part" examples/rdkafka_performance.c src/librdkafka.a $libs -lm \
  || { echo "bench/rdkafka/setup.sh: linking rdkafka_performance failed" >&2; exit 1; }
mv "$bin.part" "$bin"
echo "bench/rdkafka: built $bin" >&2
