#!/usr/bin/env bash
# Install headless Chromium (Debian package) for the lineage graph browser test, only if it is missing.
# Idempotent; a no-op when /usr/bin/chromium exists. The test skips itself when Chromium is absent, so a
# failure here (no root, no apt) is reported but does not stop CI.
set -u
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not found; the browser test will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "install-chromium: not root and no sudo; the browser test will be skipped" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    echo "install-chromium: apt-get install chromium failed; the browser test will be skipped" >&2
fi
exit 0
