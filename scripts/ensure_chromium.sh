#!/bin/sh
# Browser tests drive Debian's Chromium through Playwright (its own browser download cannot work
# here). Install it when missing and we are root; otherwise say what to do.
set -e
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
echo "chromium is not installed and this is not root: the browser tests will be skipped." >&2
echo "install it with: sudo apt-get install chromium fonts-noto-cjk" >&2
