#!/usr/bin/env bash
# Install Debian's Chromium (/usr/bin/chromium) for headless browser tests
# (driven by playwright-core with executablePath '/usr/bin/chromium'; `npx playwright install`
# cannot download browsers here), and a color emoji font (fonts-noto-color-emoji: "Noto Color
# Emoji"), which the price-preview page names for the assets' symbols (⭐, 📸) and its test
# checks: a fresh machine has no font with them, and they would render as empty boxes.
#
# Idempotent: apt is skipped when both are installed. A short headless smoke test runs every
# time (about a second); SKIP_SMOKE=1 skips it.
#
# Flags that work on these machines, as root, with no network (see docs/building.md):
#   --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
#   --disable-background-networking --disable-component-update --disable-sync
#   --user-data-dir=<fresh empty dir>
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
CHROMIUM=/usr/bin/chromium

log() { echo "[setup-chromium] $*"; }
die() { echo "[setup-chromium] ERROR: $*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
installed fonts-noto-color-emoji || missing+=(fonts-noto-color-emoji)
if [[ ${#missing[@]} -eq 0 ]]; then
    log "already installed: $("$CHROMIUM" --version 2>/dev/null), fonts-noto-color-emoji -- skipping apt"
else
    log "installing ${missing[*]} with apt-get"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
    [[ -x "$CHROMIUM" ]] || die "$CHROMIUM missing after apt-get install chromium"
    installed fonts-noto-color-emoji || die "fonts-noto-color-emoji missing after apt-get install"
    log "installed: $("$CHROMIUM" --version 2>/dev/null), fonts-noto-color-emoji"
fi

if [[ "${SKIP_SMOKE:-0}" != 1 ]]; then
    profile="$(mktemp -d /tmp/chromium-profile.XXXXXX)"
    trap 'rm -rf "$profile"' EXIT
    out="$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" \
        --dump-dom 'data:text/html,<title>t</title><p id=x>ratecard-ok</p>' 2>/dev/null </dev/null)" \
        || die "headless chromium smoke test failed"
    [[ "$out" == *ratecard-ok* ]] || die "headless chromium did not render the test page: $out"
    log "headless smoke test ok (--dump-dom rendered a data: page)"
fi
