#!/usr/bin/env python3
"""Writes models/lidc-split.tsv: every patient of ../shared/data/lidc-crops/cases.tsv
in exactly one part (train 80 %, val 10 %, test 10 %), drawn by patient so that
neighbouring slices of one nodule never sit on both sides. Deterministic: the
patients sorted, shuffled with Python's random.Random(20261130).

  tools/make-lidc-split.py [CASES_TSV] [OUT_TSV]
"""
import csv
import random
import sys

cases = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/lidc-crops/cases.tsv"
out = sys.argv[2] if len(sys.argv) > 2 else "models/lidc-split.tsv"
with open(cases, newline="") as f:
    patients = sorted({row["patient"] for row in csv.DictReader(f, delimiter="\t")})
random.Random(20261130).shuffle(patients)
tenth = round(len(patients) / 10)
parts = {p: "val" for p in patients[:tenth]}
parts.update({p: "test" for p in patients[tenth:2 * tenth]})
parts.update({p: "train" for p in patients[2 * tenth:]})
with open(out, "w") as f:
    f.write("# patient\tpart (tools/make-lidc-split.py; train 80 %, val 10 %, test 10 % of patients)\n")
    for p in sorted(parts):
        f.write(f"{p}\t{parts[p]}\n")
print(f"{len(patients)} patients: " + ", ".join(
    f"{k} {sum(1 for v in parts.values() if v == k)}" for k in ("train", "val", "test")))
