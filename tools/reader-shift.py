#!/usr/bin/env python3
"""How far a site's readers are from the original ones (issue 20's reference point).

For each case that an evaluation JSON lists (flowseg eval --json), the GED between
the case's original reader masks (mask_*.png) and the same masks grown by GROW
pixels (a disc, as flowseg's --grow-masks does: OpenCV's elliptic kernel), with the
metric's own definition (docs: d = 1 - IoU, empty with empty = 0; all pairs). It is
the GED a perfect model of one reader group scores against the other: what
fine-tuning toward the site must cost, at most, on the original readers.

    tools/reader-shift.py LIDC_CASES_DIR EVAL_JSON [GROW (2)]

Standard library only (the masks are 8-bit grayscale PNGs).
"""
import json
import os
import struct
import sys
import zlib


def read_gray_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color != 0 or interlace:
                raise SystemExit(f"{path}: only 8-bit grayscale, non-interlaced PNGs are read here")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(width)
    for y in range(height):
        kind, line = raw[y * (width + 1)], bytearray(raw[y * (width + 1) + 1:(y + 1) * (width + 1)])
        for x in range(width):
            a = line[x - 1] if x else 0
            b, c = prev[x], (prev[x - 1] if x else 0)
            if kind == 1: line[x] = (line[x] + a) & 255
            elif kind == 2: line[x] = (line[x] + b) & 255
            elif kind == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, {(x, y) for y in range(height) for x in range(width) if rows[y][x] >= 128}


def ellipse_offsets(radius):
    """OpenCV's MORPH_ELLIPSE kernel of side 2r+1, as (dx, dy) offsets."""
    if radius <= 0:
        return [(0, 0)]
    out = []
    for dy in range(-radius, radius + 1):
        dx = int(round(radius * ((radius * radius - dy * dy) / (radius * radius)) ** 0.5))
        out += [(x, dy) for x in range(-dx, dx + 1)]
    return out


def grow(mask, width, height, offsets):
    return {(x + dx, y + dy) for (x, y) in mask for (dx, dy) in offsets
            if 0 <= x + dx < width and 0 <= y + dy < height}


def distance(a, b):
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def mean_distance(a, b):
    return sum(distance(x, y) for x in a for y in b) / (len(a) * len(b))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    data, run = sys.argv[1], json.load(open(sys.argv[2]))
    offsets = ellipse_offsets(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    geds, areas, grown_areas = [], [], []
    for case in run["cases"]:
        folder = os.path.join(data, case["id"])
        masks = sorted(n for n in os.listdir(folder) if n.startswith("mask_") and n.endswith(".png"))
        readers, site = [], []
        for name in masks:
            width, height, m = read_gray_png(os.path.join(folder, name))
            readers.append(m)
            site.append(grow(m, width, height, offsets))
        geds.append(2 * mean_distance(readers, site) - mean_distance(readers, readers) - mean_distance(site, site))
        areas += [len(m) for m in readers]
        grown_areas += [len(m) for m in site]
    n = len(geds)
    print(json.dumps({"cases": n, "ged_original_vs_site_readers": sum(geds) / n,
                      "original_readers_area": sum(areas) / len(areas),
                      "site_readers_area": sum(grown_areas) / len(grown_areas)}, indent=2))


if __name__ == "__main__":
    main()
