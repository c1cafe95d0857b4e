#!/usr/bin/env python3
"""Draws the SMDR Monitor icon: a white telephone handset on a calm teal tile, with a green
live-trace pulse (a record arriving). Writes assets/icons/smdr-monitor-N.png for every size the
desktops ask for and assets/smdr-monitor.ico for Windows.

Regenerate with `python3 packaging/make-icons.py` (needs Pillow: `pip install pillow`). Every
size is drawn from vectors at 8x and scaled down, so edges stay crisp; 16 and 24 px use bolder
strokes and a single "live" dot instead of the trace, which would blur at that size.
"""

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
SUPERSAMPLE = 8

TILE_TOP = (38, 110, 135)  # calm teal-blue, lighter at the top
TILE_BOTTOM = (22, 72, 96)
HANDSET = (246, 250, 252)
TRACE = (110, 231, 160)  # "live" green


def rounded_rect(cx, cy, w, h, r, angle, steps=12):
    """Points of a w x h rectangle with corner radius r, centred on (cx, cy), rotated by angle."""
    r = min(r, w / 2, h / 2)
    corners = [(w / 2 - r, h / 2 - r, 0), (-w / 2 + r, h / 2 - r, 90),
               (-w / 2 + r, -h / 2 + r, 180), (w / 2 - r, -h / 2 + r, 270)]
    pts = []
    for ox, oy, start in corners:
        for i in range(steps + 1):
            a = math.radians(start + 90 * i / steps)
            pts.append((ox + r * math.cos(a), oy + r * math.sin(a)))
    ca, sa = math.cos(angle), math.sin(angle)
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def arc_band(cx, cy, radius, thickness, a0, a1, steps=64):
    """Points of a thick arc (annulus sector) from angle a0 to a1 in degrees, y pointing down."""
    outer, inner = radius + thickness / 2, radius - thickness / 2
    angles = [math.radians(a0 + (a1 - a0) * i / steps) for i in range(steps + 1)]
    pts = [(cx + outer * math.cos(a), cy + outer * math.sin(a)) for a in angles]
    pts += [(cx + inner * math.cos(a), cy + inner * math.sin(a)) for a in reversed(angles)]
    return pts


def draw(size):
    small = size <= 24
    s = size * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))

    # The tile: a rounded square with a vertical gradient. Large icons keep a margin so the
    # tile sits among other apps' icons at the same visual weight; tiny ones use every pixel.
    margin = 0.0 if small else 0.04 * s
    side = s - 2 * margin
    gradient = Image.new("RGBA", (s, s))
    gd = ImageDraw.Draw(gradient)
    for y in range(s):
        t = y / (s - 1)
        gd.line([(0, y), (s, y)], fill=tuple(
            round(a + (b - a) * t) for a, b in zip(TILE_TOP, TILE_BOTTOM)) + (255,))
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [margin, margin, s - margin - 1, s - margin - 1], radius=0.22 * side, fill=255)
    img.paste(gradient, (0, 0), mask)

    d = ImageDraw.Draw(img)
    u = lambda v: margin + v * side  # noqa: E731  (tile-relative units -> pixels)

    # The handset: a C-shaped grip bulging to the lower left, ear and mouth pads at its ends
    # facing inwards. Centre of the grip's arc sits up and to the right of the tile's centre.
    cx, cy = u(0.66), u(0.36)
    radius = 0.36 * side
    grip = (0.13 if small else 0.10) * side
    a0, a1 = 95, 175
    d.polygon(arc_band(cx, cy, radius, grip, a0, a1), fill=HANDSET)
    pad_w = (0.26 if small else 0.22) * side  # across the grip
    pad_h = (0.22 if small else 0.21) * side  # along the radius
    for end in (a0 - 6, a1 + 6):
        a = math.radians(end)
        # Pads reach from the grip's outer edge inwards, toward the arc's centre.
        rr = radius + grip / 2 - pad_h / 2
        px, py = cx + rr * math.cos(a), cy + rr * math.sin(a)
        d.polygon(rounded_rect(px, py, pad_h, pad_w, 0.07 * side, a), fill=HANDSET)

    # The live-trace motif in the hollow of the handset.
    if small:
        r = 0.13 * side
        x, y = u(0.76), u(0.25)
        d.ellipse([x - r, y - r, x + r, y + r], fill=TRACE)
    else:
        pts = [(0.55, 0.31), (0.63, 0.31), (0.68, 0.17), (0.75, 0.45), (0.80, 0.31),
               (0.87, 0.31)]
        stroke = (0.065 if size <= 48 else 0.055) * side
        d.line([(u(x), u(y)) for x, y in pts], fill=TRACE, width=round(stroke),
               joint="curve")
        for x, y in (pts[0], pts[-1]):
            r = stroke / 2
            d.ellipse([u(x) - r, u(y) - r, u(x) + r, u(y) + r], fill=TRACE)

    return img.resize((size, size), Image.Resampling.LANCZOS)


def main():
    root = Path(__file__).resolve().parent.parent
    out = root / "assets" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    images = {}
    for size in SIZES:
        images[size] = draw(size)
        path = out / f"smdr-monitor-{size}.png"
        images[size].save(path, optimize=True)
        print(path.relative_to(root))
    ico = root / "assets" / "smdr-monitor.ico"
    # Pillow only writes sizes up to the first image's, so the largest goes first.
    first, *rest = (images[n] for n in sorted(ICO_SIZES, reverse=True))
    first.save(ico, sizes=[(n, n) for n in ICO_SIZES], append_images=rest)
    print(ico.relative_to(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
