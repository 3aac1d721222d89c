#!/bin/sh
# Browser tests drive Debian's Chromium through Playwright (its own browser download cannot work
# here), and the Chinese pages need a CJK font to be read (and looked at in screenshots). Install
# what is missing when we are root; otherwise say what to do.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="chromium"
if ! (command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]); then
  missing="$missing fonts-noto-cjk"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing$([ -n "$missing" ] && echo " $missing") for the browser tests..."
  apt-get update -qq
  # shellcheck disable=SC2086 - the list is meant to split into package names
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  exit 0
fi
echo "missing for the browser tests:$missing (not root: they are skipped or show no Chinese glyphs)." >&2
echo "install with: sudo apt-get install$missing" >&2
