#!/usr/bin/env bash
# WeasyPrint (the PDF invoice) needs Pango and a font from the system. Install them with apt-get
# when they are missing and we may (root on Debian/Ubuntu); otherwise say exactly what to run.
set -euo pipefail
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
libraries=$(ldconfig -p 2>/dev/null || true)
if grep -q "libpango-1.0.so" <<<"$libraries" && grep -q "libharfbuzz-subset.so" <<<"$libraries" \
    && fc-list 2>/dev/null | grep -qi dejavu; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages >/dev/null
    exit 0
fi
echo "WeasyPrint needs Pango and a font: sudo apt-get install $packages" >&2
exit 1
