#!/usr/bin/env bash
# Installs the system libraries swsl-convert links against (Debian/Ubuntu, as root), if missing.
set -euo pipefail
needed=()
# python3 and python3-venv: the test command runs the numpy .swm reader's tests (numpy itself goes into a
# throwaway virtual environment when the system has none).
for pkg in libzip-dev libssl-dev libprotobuf-c-dev zlib1g-dev libjpeg-dev libpng-dev pkg-config python3 python3-venv; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
fi
