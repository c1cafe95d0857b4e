#!/usr/bin/env bash
# Runs the real window under Xvfb in demo mode, waits for live rows, and writes one PNG per
# window size and tab: <dir>/records-1024x640.png, calls-1024x640.png, records-1600x1000.png,
# calls-1600x1000.png, and at 1024x640 history and alarms (after the demo's 911 call, 10 s in)
# (default dir target/screenshots); further arguments go to the app.
# SMDR_BIN names the binary (default target/debug/smdr-monitor); SMDR_SHOT_WAIT the seconds the
# demo runs before each shot (default 8). Fails if a window never appears or draws nothing.
# Needs: xvfb, x11-utils (xwininfo), imagemagick (import, convert), Mesa's software renderers.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/screenshots}
bin=${SMDR_BIN:-target/debug/smdr-monitor}
[ -x "$bin" ] || cargo build --bin smdr-monitor

base=$(mktemp -d)
unset WAYLAND_DISPLAY
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1700x1100x24 -nolisten tcp >"$base/xvfb.log" 2>&1 &
xvfb=$!
app=""
cleanup() {
    [ -n "$app" ] && kill "$app" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    rm -rf "$base"
}
trap cleanup EXIT
export DISPLAY=$display
for _ in $(seq 50); do xwininfo -root >/dev/null 2>&1 && break; sleep 0.2; done
mkdir -p "$dir"

# shot SIZE TAB: one run of the window at SIZE (WxH) on TAB, written to $dir/TAB-SIZE.png.
shot() {
    local size=$1 tab=$2 out="$dir/$2-$1.png"
    # A fresh home each time: no saved sites (so the demo runs), no window size or state saved.
    local home
    home=$(mktemp -d -p "$base")
    mkdir -p "$home/run" && chmod 700 "$home/run"
    HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home/run \
        SMDR_WINDOW_SIZE=$size "$bin" --demo --tab "$tab" "${@:3}" >"$home/app.log" 2>&1 &
    app=$!
    local id=""
    for _ in $(seq 120); do
        id=$(xwininfo -root -tree 2>/dev/null | awk '/"SMDR Monitor"/ { print $1; exit }')
        [ -n "$id" ] && break
        if ! kill -0 "$app" 2>/dev/null; then
            echo "the window did not start:"; cat "$home/app.log"; exit 1
        fi
        sleep 0.5
    done
    [ -n "$id" ] || { echo "no window after 60 s"; cat "$home/app.log"; exit 1; }
    # Let the demo deliver some calls.
    sleep "${SMDR_SHOT_WAIT:-8}"
    import -window "$id" "$out"
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    app=""
    local colors geometry
    colors=$(convert "$out" -format '%k' info:)
    geometry=$(convert "$out" -format '%wx%h' info:)
    echo "screenshot: $out ($geometry, $colors colours)"
    if [ "$colors" -lt 20 ]; then
        echo "the window looks blank"; cat "$home/app.log"; exit 1
    fi
}

for size in 1024x640 1600x1000; do
    for tab in records calls; do
        shot "$size" "$tab" "${@:2}"
    done
done
shot 1024x640 history "${@:2}"
SMDR_SHOT_WAIT=14 shot 1024x640 alarms "${@:2}"
