#!/usr/bin/env bash
# Installs the system libraries swsl-convert links against (Debian/Ubuntu, as root), if missing.
set -euo pipefail
needed=()
for pkg in libzip-dev libprotobuf-c-dev zlib1g-dev libjpeg-dev libpng-dev pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
fi
