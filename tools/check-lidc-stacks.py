#!/usr/bin/python3
"""Checks what the volume model builds on, on extracted LIDC crops:
1. consecutive slices of a nodule show the same 128x128 window (the shift of
   best normalised cross-correlation over +-8 px is at most 1 px);
2. mask_k is the same reader on every slice of one nodule (reader k's mask on
   slice s overlaps reader k's on slice s+1 more than the other readers' do);
3. a nodule's slice numbers run 0..n-1 without gaps.
  tools/check-lidc-stacks.py EXTRACTED_DIR [CASES_TSV] [NODULES] [SEED]"""
import csv, random, sys
import numpy as np
from PIL import Image

root = sys.argv[1]
tsv = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/lidc-crops/cases.tsv"
count = int(sys.argv[3]) if len(sys.argv) > 3 else 40
random.seed(int(sys.argv[4]) if len(sys.argv) > 4 else 3)

nodules = {}
for row in csv.DictReader(open(tsv), delimiter="\t"):
    nodules.setdefault((row["patient"], row["nodule"]), []).append(int(row["slice"].split("-")[1]))
gaps = sum(1 for s in nodules.values() if sorted(s) != list(range(len(s))))
print(f"nodules {len(nodules)}, whose slices are not 0..n-1: {gaps}")


def load(n, k, name):
    return np.array(Image.open(f"{root}/{n[0]}_{n[1]}_slice-{k}/{name}"), dtype=np.float32)


def iou(a, b):
    union = (a | b).sum()
    return (a & b).sum() / union if union else None


shifts, same, other, wins, trials = [], [], [], 0, 0
for n in random.sample(sorted(nodules), count):
    ks = sorted(nodules[n])
    for a, b in zip(ks, ks[1:]):
        A, B = load(n, a, "image.png"), load(n, b, "image.png")
        best = max((np.corrcoef(A[16 + dy:112 + dy, 16 + dx:112 + dx].ravel(), B[16:112, 16:112].ravel())[0, 1], dy, dx)
                   for dy in range(-8, 9) for dx in range(-8, 9))
        shifts.append(max(abs(best[1]), abs(best[2])))
        ma = [load(n, a, f"mask_{r}.png") > 127 for r in range(4)]
        mb = [load(n, b, f"mask_{r}.png") > 127 for r in range(4)]
        for r in range(4):
            own = iou(ma[r], mb[r])
            others = [v for q in range(4) if q != r for v in [iou(ma[r], mb[q])] if v is not None]
            if own is not None:
                same.append(own)
            other.extend(others)
            if own is not None and others:
                trials += 1
                wins += own >= max(others)
shifts = np.array(shifts)
print(f"{count} nodules, {len(shifts)} consecutive pairs: best shift <= 1 px in {(shifts <= 1).sum()}, "
      f"<= 2 px in {(shifts <= 2).sum()}")
print(f"IoU with the same reader's mask on the next slice {np.mean(same):.3f}, with another reader's "
      f"{np.mean(other):.3f}; the same reader overlaps best in {wins} of {trials}")
