#!/usr/bin/env bash
# The Debian package end to end (issue 22), as a department's IT would meet it:
# build it with CPack, check its declared dependencies and lintian (no errors;
# the warnings are printed), validate its AppStream metainfo, install it with
# dpkg (on the machine when run as root and it is not installed yet, else into a
# scratch root), start the installed flowseg-review on its demo under Xvfb and
# check the screenshot is not blank and the user's store was created under the
# XDG data directory, then remove the package and check nothing of it is left.
#   tests/package/test_package.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
installed_here=0
cleanup() {
  if (( installed_here )); then dpkg -r flowseg-review >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -f "$build"/flowseg-review_*.deb "$build"/flowseg-review-*.tar.gz
cmake --build "$build" --target package >"$work/cpack.log" 2>&1 || { tail -30 "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$build"/flowseg-review_*.deb)
tgz=$(ls "$build"/flowseg-review-*.tar.gz)
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$tgz")"

# Runtime dependencies come from the libraries we link (dpkg-shlibdeps) plus the
# run-time plugins declared by hand.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for needed in libqt6widgets6 libtorch libdcmtk17 libopencv-imgcodecs libsqlite3-0 libqt6svg6 libopenblas0; do
  grep -q "$needed" <<<"$depends" || fail "the package does not depend on $needed"
done
dpkg-deb -c "$deb" >"$work/contents.txt"
for path in ./usr/bin/flowseg-review ./usr/bin/flowseg ./usr/share/flowseg/models/default.fsm \
            ./usr/share/flowseg/demo-lidc/readers.seg.dcm ./usr/share/applications/flowseg-review.desktop \
            ./usr/share/icons/hicolor/scalable/apps/flowseg-review.svg \
            ./usr/share/metainfo/org.flowseg.Review.metainfo.xml ./usr/share/doc/flowseg-review/copyright; do
  grep -q " $path\$" "$work/contents.txt" || fail "the package lacks $path"
done

# lintian: errors fail the test; warnings are recorded.
lintian --tag-display-limit 0 "$deb" >"$work/lintian.txt" 2>&1 || true
echo "lintian: $(grep -c '^E:' "$work/lintian.txt" || true) errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings"
sed 's/^/  /' "$work/lintian.txt"
! grep -q '^E:' "$work/lintian.txt" || fail "lintian reports errors"

mkdir -p "$work/x"
dpkg-deb -x "$deb" "$work/x"
appstreamcli validate --no-net "$work/x/usr/share/metainfo/org.flowseg.Review.metainfo.xml" >/dev/null ||
  fail "appstreamcli does not accept the metainfo"

# Install with dpkg: on the machine when we may and it is free, else in a scratch root.
if [[ $(id -u) -eq 0 ]] && ! dpkg -s flowseg-review >/dev/null 2>&1; then
  dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; installed_here=1; fail "dpkg -i"; }
  installed_here=1
  prefix=/usr
  echo "installed with dpkg -i"
else
  prefix="$work/x/usr"
  echo "unpacked with dpkg-deb -x into a scratch root (not root, or a flowseg-review package is installed)"
fi
[[ -x $prefix/bin/flowseg-review ]] || fail "no installed flowseg-review"
"$prefix/bin/flowseg" --version | grep -q "model $prefix/share/flowseg/models/default.fsm" ||
  fail "the installed flowseg does not find its installed model"

# The installed program, a fresh user: the demo, a screenshot, the store in XDG_DATA_HOME.
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
mkdir -p "$HOME"
QT_QPA_PLATFORM=xcb timeout 300 xvfb-run -a -s "-screen 0 1400x900x24" \
  "$prefix/bin/flowseg-review" --demo --screenshot "$work/shot.png" --threads 2 >"$work/run.log" 2>&1 ||
  { tail -20 "$work/run.log"; fail "the installed flowseg-review did not run its demo"; }
python3 - "$work/shot.png" <<'PY' || fail "the screenshot is blank"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, colour, depth = 8, b"", 0, 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR": width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
    if kind == b"IDAT": idat += chunk
    pos += 12 + length
raw = zlib.decompress(idat)
channels = {2: 3, 6: 4}[colour]
stride = width * channels
# Distinct colours on a coarse grid of unfiltered-byte samples (filters keep equal rows equal).
seen = {raw[(y * (stride + 1)) + 1 + x * channels:(y * (stride + 1)) + 1 + x * channels + 3]
        for y in range(0, height, 7) for x in range(0, width, 7)}
print(f"screenshot {width}x{height}, {len(seen)} distinct samples")
sys.exit(0 if len(seen) > 50 else 1)
PY
store=$(find "$XDG_DATA_HOME" -name '*.flowseg' | head -1)
[[ -n $store ]] || fail "no annotation store was created under XDG_DATA_HOME ($XDG_DATA_HOME)"
echo "user store: ${store#"$work/"}"

if (( installed_here )); then
  dpkg -r flowseg-review >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log"; fail "dpkg -r"; }
  installed_here=0
  dpkg -s flowseg-review >/dev/null 2>&1 && fail "the package is still registered after dpkg -r"
  [[ ! -e /usr/bin/flowseg-review && ! -e /usr/share/flowseg ]] || fail "files were left after dpkg -r"
  echo "removed cleanly with dpkg -r"
fi
echo "package test passed"
