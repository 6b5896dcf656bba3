#!/usr/bin/env bash
# Installs Chromium for the dashboard's end-to-end tests (playwright-core drives /usr/bin/chromium).
# Idempotent: does nothing when it is already there. Needs root (or passwordless sudo) for apt-get.
set -euo pipefail
[[ -x /usr/bin/chromium ]] && exit 0
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else echo "install-chromium: /usr/bin/chromium missing and not root (no sudo) to apt-get install chromium" >&2; exit 1; fi
fi
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } >/tmp/rtap-install-chromium.log 2>&1; then
  echo "install-chromium: apt-get install chromium failed (see /tmp/rtap-install-chromium.log)" >&2
  exit 1
fi
[[ -x /usr/bin/chromium ]] || { echo "install-chromium: apt-get succeeded but /usr/bin/chromium is still missing" >&2; exit 1; }
