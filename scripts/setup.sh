#!/usr/bin/env bash
# Installs what dialtone needs on a Debian machine, then its npm dependencies.
# Debian packages are installed only when missing; root or sudo is needed for that.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v baresip >/dev/null 2>&1 || need+=(baresip)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

npm ci --no-audit --no-fund
