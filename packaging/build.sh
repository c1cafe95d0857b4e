#!/usr/bin/env bash
# Builds the installable artifacts into dist/ and checks each one:
#   smdr-monitor_VERSION-1_amd64.deb            Linux (Debian, Ubuntu): binary, desktop entry, icons,
#                                               the collector service (installed disabled)
#   smdr-monitor-headless_VERSION-1_amd64.deb   Linux server: the headless build and the service
#   smdr-monitor-VERSION-windows-x86_64.zip     Windows portable: unzip and run smdr-monitor.exe
#   smdr-monitor-VERSION-setup.exe              Windows installer (per user, Start-menu shortcut)
# Installs what it needs first (Debian packages, the rustup Windows target, cargo-deb), so it runs
# on a fresh Debian/Ubuntu machine with rustup; running it again rebuilds only what changed.
#
#   packaging/build.sh                    everything, release profile
#   packaging/build.sh --deb              only the .debs
#   packaging/build.sh --windows          only the Windows zip and installer
#   packaging/build.sh --deb --profile dev
#                                         package the debug binary into dist/dev/ (CI: reuses the
#                                         test build; the checks are the same)
set -euo pipefail
cd "$(dirname "$0")/.."

WIN_TARGET=x86_64-pc-windows-gnu
CARGO_DEB_VERSION=3.8.0
DIST=dist
PROFILE=release
want_deb=0 want_win=0
while [ $# -gt 0 ]; do
    case "$1" in
        --deb) want_deb=1 ;;
        --windows) want_win=1 ;;
        --profile) PROFILE=${2:?--profile needs a name}; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[ "$want_deb$want_win" = 00 ] && want_deb=1 want_win=1
# Only release builds are for handing out; others (CI's) go where nobody mistakes them for one.
[ "$PROFILE" = release ] || DIST="dist/$PROFILE"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
# contains TEXT REGEX. Not `cmd | grep -q`: grep quits at the first match, and with pipefail the
# writer's SIGPIPE would fail the check at random.
contains() { grep -Eq -- "$2" <<<"$1"; }
fail() { echo "build.sh: $*" >&2; exit 1; }

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$VERSION" ] || fail "no version found in Cargo.toml"
# Cargo's output folder for a profile: dev builds land in debug/, the others under their name.
profile_dir() { if [ "$PROFILE" = dev ] || [ "$PROFILE" = test ]; then echo debug; else echo "$PROFILE"; fi; }
TARGET_DIR=$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$TARGET_DIR" ] || TARGET_DIR=target

# --- what the build needs ------------------------------------------------------------------------
apt_need() {
    local missing=()
    for pkg in "$@"; do
        contains "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

step "tools"
# dpkg-dev: dpkg-shlibdeps for the .deb's library dependencies; desktop-file-utils: validation;
# file/zip/unzip: building and checking the Windows artifacts.
# systemd: systemd-analyze verifies the collector's unit (no running systemd needed).
pkgs=(dpkg-dev desktop-file-utils file systemd)
[ $want_win = 1 ] && pkgs+=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis zip unzip)
apt_need "${pkgs[@]}"
if [ $want_deb = 1 ] && ! contains "$(cargo deb --version 2>/dev/null)" "$CARGO_DEB_VERSION"; then
    cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi
if [ $want_win = 1 ] && ! contains "$(rustup target list --installed)" "^$WIN_TARGET\$"; then
    rustup target add "$WIN_TARGET"
fi
mkdir -p "$DIST"
made=()

# Copies a 64-bit Windows program, switching its PE header from the GUI to the console subsystem
# (the one 16-bit field Windows reads to decide whether the program gets a console).
console_copy() {
    local pe magic offset
    pe=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
    [ "$(od -An -c -j"$pe" -N2 "$1" | tr -d ' ')" = PE ] || fail "$1 is not a PE file"
    magic=$(od -An -tx2 -j$((pe + 24)) -N2 "$1" | tr -d ' ')
    [ "$magic" = 020b ] || fail "$1 is not a 64-bit (PE32+) program"
    offset=$((pe + 24 + 68))  # Subsystem: 2 = GUI, 3 = console
    cp "$1" "$2"
    printf '\003' | dd of="$2" bs=1 seek="$offset" conv=notrunc status=none
}

# --- Linux .deb ----------------------------------------------------------------------------------
UNIT=usr/lib/systemd/system/smdr-monitor-collect.service
# check_service DEB UNPACKED: the collector's unit, disabled, its user made by postinst.
check_service() {
    packaging/linux/verify-unit.sh "$2/$UNIT" "$2/usr/bin/smdr-monitor"
    local postinst
    postinst=$(dpkg-deb -I "$1" postinst)
    contains "$postinst" 'adduser --quiet --system --group' || fail "$1: postinst makes no system user"
    contains "$postinst" 'smdr-monitor-collect.service' || fail "$1: postinst does not know the unit"
    # cargo-deb's "don't enable" fragment enables only a unit the admin had enabled (upgrades).
    contains "$postinst" 'deb-systemd-helper debian-installed smdr-monitor-collect' \
        || fail "$1: the service would be enabled on install"
    ! contains "$postinst" 'deb-systemd-invoke start' || fail "$1: the service would start on install"
}

if [ $want_deb = 1 ]; then
    # The server's build first, set aside: both builds leave their binary at the same path, and
    # the window's must be the one left there (CI reuses it).
    step "Linux: cargo build --profile $PROFILE --no-default-features (headless)"
    cargo build --locked --profile "$PROFILE" --no-default-features --bin smdr-monitor
    mkdir -p "$TARGET_DIR/$(profile_dir)/headless"
    cp "$TARGET_DIR/$(profile_dir)/smdr-monitor" "$TARGET_DIR/$(profile_dir)/headless/smdr-monitor"
    step "Linux: cargo build --profile $PROFILE"
    cargo build --locked --profile "$PROFILE" --bin smdr-monitor
    step "Linux: cargo deb"
    deb="$DIST/smdr-monitor_${VERSION}-1_amd64.deb"
    rm -f "$deb"
    cargo deb --locked --no-build --profile "$PROFILE" --output "$deb"

    step "Linux: check the .deb"
    listing=$(dpkg-deb -c "$deb")
    echo "$listing"
    expect=(./usr/bin/smdr-monitor ./usr/share/applications/smdr-monitor.desktop
            ./usr/share/doc/smdr-monitor/README.md ./usr/share/doc/smdr-monitor/sites.example.toml
            "./$UNIT")
    for size in 16 24 32 48 64 128 256 512; do
        expect+=("./usr/share/icons/hicolor/${size}x${size}/apps/smdr-monitor.png")
    done
    for path in "${expect[@]}"; do
        contains "$listing" " $path\$" || fail "$deb lacks $path"
    done
    unpacked=$(mktemp -d)
    dpkg-deb -x "$deb" "$unpacked"
    desktop-file-validate "$unpacked/usr/share/applications/smdr-monitor.desktop"
    contains "$("$unpacked/usr/bin/smdr-monitor" --version)" " $VERSION\$" \
        || fail "the packaged binary does not report version $VERSION"
    check_service "$deb" "$unpacked"
    rm -rf "$unpacked"
    dpkg-deb -f "$deb" Package Version Depends
    made+=("$deb")

    step "Linux: cargo deb --variant headless"
    hdeb="$DIST/smdr-monitor-headless_${VERSION}-1_amd64.deb"
    rm -f "$hdeb"
    cargo deb --locked --no-build --profile "$PROFILE" --variant headless --output "$hdeb"
    step "Linux: check the headless .deb"
    listing=$(dpkg-deb -c "$hdeb")
    echo "$listing"
    for path in ./usr/bin/smdr-monitor ./usr/share/doc/smdr-monitor/README.md "./$UNIT"; do
        contains "$listing" " $path\$" || fail "$hdeb lacks $path"
    done
    ! contains "$listing" "\.desktop\$" || fail "$hdeb has a desktop entry: it has no window"
    unpacked=$(mktemp -d)
    dpkg-deb -x "$hdeb" "$unpacked"
    contains "$("$unpacked/usr/bin/smdr-monitor" --version)" " $VERSION\$" \
        || fail "the headless binary does not report version $VERSION"
    code=0
    "$unpacked/usr/bin/smdr-monitor" >/dev/null 2>&1 || code=$?
    [ "$code" -eq 2 ] || fail "the headless binary opened something other than 'no window' (exit $code)"
    check_service "$hdeb" "$unpacked"
    rm -rf "$unpacked"
    dpkg-deb -f "$hdeb" Package Version Depends Conflicts
    made+=("$hdeb")
fi

# --- Windows zip and installer -------------------------------------------------------------------
if [ $want_win = 1 ]; then
    step "Windows: cargo build --profile $PROFILE --target $WIN_TARGET"
    cargo build --locked --profile "$PROFILE" --target "$WIN_TARGET" --bin smdr-monitor
    exe="$TARGET_DIR/$WIN_TARGET/$(profile_dir)/smdr-monitor.exe"

    step "Windows: zip and installer"
    name="smdr-monitor-${VERSION}-windows-x86_64"
    stage="$DIST/$name"
    rm -rf "$stage"
    mkdir -p "$stage"
    x86_64-w64-mingw32-strip -o "$stage/smdr-monitor.exe" "$exe"
    # smdr-monitor.com: the same program marked as a console program. cmd.exe and PowerShell run
    # .com before .exe, so `smdr-monitor decode ...` typed in a terminal waits and prints like any
    # command-line tool, while the shortcut and a double-click open the .exe without a console.
    console_copy "$stage/smdr-monitor.exe" "$stage/smdr-monitor.com"
    cp README.md "$stage/"
    zip="$DIST/$name.zip"
    rm -f "$zip"
    (cd "$DIST" && zip -q -r -X "$name.zip" "$name")
    cp assets/smdr-monitor.ico "$stage/"  # for makensis only, not in the zip
    setup="$DIST/smdr-monitor-${VERSION}-setup.exe"
    makensis -V2 -DVERSION="$VERSION" -DSRCDIR="$(pwd)/$stage" -DOUTFILE="$(pwd)/$setup" \
        packaging/windows/installer.nsi

    step "Windows: check"
    contains "$(file -b "$stage/smdr-monitor.exe")" 'PE32\+ executable.*\(GUI\).*x86-64' \
        || fail "smdr-monitor.exe is not a 64-bit Windows GUI program: $(file -b "$stage/smdr-monitor.exe")"
    contains "$(file -b "$stage/smdr-monitor.com")" 'PE32\+ executable.*\(console\).*x86-64' \
        || fail "smdr-monitor.com is not a console program: $(file -b "$stage/smdr-monitor.com")"
    contains "$(x86_64-w64-mingw32-objdump -h "$stage/smdr-monitor.exe")" '\.rsrc' \
        || fail "smdr-monitor.exe has no resources: the icon was not embedded (is windres installed?)"
    listing=$(unzip -l "$zip")
    echo "$listing"
    for f in smdr-monitor.exe smdr-monitor.com README.md; do
        contains "$listing" " $name/$f\$" || fail "$zip lacks $f"
    done
    # `file` names only 32-bit NSIS installers; the 64-bit one carries the same data signature.
    contains "$(file -b "$setup")" 'PE32\+ executable.*\(GUI\).*x86-64' && LC_ALL=C grep -aq NullsoftInst "$setup" \
        || fail "$setup is not a 64-bit NSIS installer: $(file -b "$setup")"
    rm -rf "$stage"
    made+=("$zip" "$setup")
fi

step "made"
# Checksums of every artifact of this version in dist/, including ones an earlier run made.
shopt -s nullglob
(cd "$DIST" && sums=(smdr-monitor*"$VERSION"*{.deb,.zip,-setup.exe}) && sha256sum -- "${sums[@]}" > SHA256SUMS)
for f in "${made[@]}"; do
    printf '%-55s %s\n' "$f" "$(du -h "$f" | cut -f1)"
done
echo "checksums: $DIST/SHA256SUMS"
