#!/usr/bin/env bash
# Runs the real window under Xvfb in demo mode, waits for live rows, and writes a PNG
# (default target/screenshot.png); further arguments go to the app. Fails if the window never appears or draws nothing.
# Needs: xvfb, x11-utils (xwininfo), imagemagick (import, convert), Mesa's software renderers.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshot.png}
bin=${SMDR_BIN:-target/debug/smdr-monitor}
[ -x "$bin" ] || cargo build --bin smdr-monitor

# A fresh home: no saved sites (so the demo runs) and no state from earlier runs.
home=$(mktemp -d)
export HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$home/xvfb.log" 2>&1 &
xvfb=$!
app=""
cleanup() {
    [ -n "$app" ] && kill "$app" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
export DISPLAY=$display
for _ in $(seq 50); do xwininfo -root >/dev/null 2>&1 && break; sleep 0.2; done

"$bin" --demo "${@:2}" >"$home/app.log" 2>&1 &
app=$!
for _ in $(seq 120); do
    if xwininfo -root -tree 2>/dev/null | grep -q '"SMDR Monitor"'; then break; fi
    if ! kill -0 "$app" 2>/dev/null; then
        echo "the window did not start:"; cat "$home/app.log"; exit 1
    fi
    sleep 0.5
done
xwininfo -root -tree | grep -q '"SMDR Monitor"' || { echo "no window after 60 s"; cat "$home/app.log"; exit 1; }
# Let the demo deliver some calls.
sleep "${SMDR_SHOT_WAIT:-8}"
mkdir -p "$(dirname "$out")"
import -window root "$out"
colors=$(convert "$out" -format '%k' info:)
echo "screenshot: $out ($colors colours)"
if [ "$colors" -lt 20 ]; then
    echo "the window looks blank"; cat "$home/app.log"; exit 1
fi
