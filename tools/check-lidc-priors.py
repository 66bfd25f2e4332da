#!/usr/bin/python3
"""What a volume model's prior mask says about the slice it conditions, on the
extracted LIDC crops: for each slice of a nodule other than its middle (n // 2,
where the sweep starts) and each reader, P(the reader marks this slice) given
their mask on a neighbouring slice, for the neighbour the sweep comes from
(toward the middle: "inward") and for the other one ("outward"). A model trained
on priors from either side at random learns the mixture; the sweep only ever
asks the inward question. Standard library only (reads the masks' PNGs itself).
  tools/check-lidc-priors.py EXTRACTED_DIR [SPLIT_TSV (models/lidc-split.tsv)] [PART (train)]"""
import collections, os, re, struct, sys, zlib

root = sys.argv[1]
split_tsv = sys.argv[2] if len(sys.argv) > 2 else "models/lidc-split.tsv"
part = sys.argv[3] if len(sys.argv) > 3 else "train"


def marks_anything(path):
    """Whether an 8-bit grey PNG has a non-zero pixel: a row of zero pixels
    filters to zero bytes, and the first non-zero row cannot filter to zeros."""
    data = open(path, "rb").read()
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            width, _, depth, colour = struct.unpack(">IIBB", data[pos + 8:pos + 18])
            if depth != 8 or colour != 0:
                sys.exit(f"{path}: not an 8-bit grey PNG")
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width + 1
    return any(any(raw[y * stride + 1:(y + 1) * stride]) for y in range(len(raw) // stride))


parts = {}
for line in open(split_tsv):
    fields = line.split()
    if len(fields) >= 2:
        parts[fields[0]] = fields[1]
nodules = collections.defaultdict(dict)
for name in os.listdir(root):
    m = re.match(r"(.*)_(nodule-\d+)_slice-(\d+)$", name)
    if m and parts.get(m.group(1)) == part:
        nodules[(m.group(1), m.group(2))][int(m.group(3))] = name

# counts[(side, prior marked, this slice marked)], and the same on the slices one
# reader of four marked (a nodule's ends, mostly)
counts, ends = collections.Counter(), collections.Counter()
for key, slices in nodules.items():
    ks = sorted(slices)
    marked = [[os.path.exists(f"{root}/{slices[k]}/mask_{r}.png") and
               marks_anything(f"{root}/{slices[k]}/mask_{r}.png") for r in range(4)] for k in ks]
    n, middle = len(ks), len(ks) // 2
    for i in range(n):
        if i == middle:
            continue
        readers_here = sum(marked[i])
        for j in (i - 1, i + 1):
            if not 0 <= j < n:
                continue
            side = "inward" if (j - i) * (middle - i) > 0 else "outward"
            for r in range(4):
                counts[(side, marked[j][r], marked[i][r])] += 1
                if readers_here == 1:
                    ends[(side, marked[j][r], marked[i][r])] += 1

print(f"{len(nodules)} {part} nodules")
for title, table in (("all slices but the middle", counts), ("slices one reader marked", ends)):
    print(title)
    for prior in (True, False):
        row = []
        for side in ("inward", "outward", "either"):
            sides = ("inward", "outward") if side == "either" else (side,)
            yes = sum(table[(s, prior, True)] for s in sides)
            total = yes + sum(table[(s, prior, False)] for s in sides)
            row.append(f"{side} {yes / max(total, 1):.3f} (n {total})")
        print(f"  P(marked | prior {'marked' if prior else 'empty '}):  " + "  ".join(row))
