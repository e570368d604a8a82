#!/usr/bin/env bash
# System packages the project needs beyond Python: a CJK font for PDFs (WeasyPrint), pango for
# WeasyPrint, Debian's chromium for browser tests, wrk for the status-page bench. Installed with apt when missing and when root.
set -u
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|WenQuanYi" || need+=(fonts-noto-cjk fontconfig)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v chromium >/dev/null || need+=(chromium)
command -v pdffonts >/dev/null || need+=(poppler-utils)
command -v wrk >/dev/null || need+=(wrk)  # the load tool of `python -m ltci.bench status_page`
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "missing system packages (install them as root): ${need[*]}" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "warning: apt-get install ${need[*]} failed; PDFs or browser tests may not work" >&2
exit 0
