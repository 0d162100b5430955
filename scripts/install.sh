#!/usr/bin/env bash
# Builds swsl-convert in release mode with the Swift runtime and Foundation linked in statically
# (--static-swift-stdlib), so the binary runs on a machine without a Swift toolchain, and installs it
# as PREFIX/bin/swsl-convert (PREFIX defaults to /usr/local). The build goes to .build-static, apart
# from `swift build`'s .build. The binary still loads the system C libraries it is linked against
# (libzip, libcrypto, libprotobuf-c, libjpeg, libpng, zlib, glibc): scripts/install-deps.sh, or their
# runtime packages, provide them.
#
#   scripts/install.sh [PREFIX]
set -euo pipefail
prefix="${1:-/usr/local}"
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product swsl-convert --scratch-path .build-static
install -d "$prefix/bin"
install -m 755 .build-static/release/swsl-convert "$prefix/bin/swsl-convert"
echo "installed $prefix/bin/swsl-convert ($(stat -c %s "$prefix/bin/swsl-convert") bytes)"
