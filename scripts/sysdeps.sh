#!/usr/bin/env bash
# Installs the Debian packages Yichuang needs when they are missing:
#   chromium          browser tests (Playwright drives /usr/bin/chromium)
#   fonts-wqy-zenhei  the CJK font embedded in PDFs
#   espeak-ng, sox    generating the hall display's voice fragments
#   poppler-utils     pdftoppm and pdffonts, to check rendered PDFs
#   valgrind          bench/bench_queue_instructions.py counts instructions with it
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "安装系统软件包 (installing Debian packages): ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "无法自动安装：请以 root 身份在 Debian 上运行，或手动安装：apt-get install ${missing[*]}" >&2
  echo "Cannot install automatically: run as root on Debian, or install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
