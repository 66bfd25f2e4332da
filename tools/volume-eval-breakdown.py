#!/usr/bin/python3
"""Where a whole-nodule evaluation's volume GED is: `flowseg eval --volumes
--json` output grouped by how many readers marked the nodule at all (on any
slice), with each group's share of the summed volume GED, its mean volume GED
against the readers' majority as one answer, and how many samples are empty
through the whole nodule against the share of readers who left it empty.
Standard library only.
  tools/volume-eval-breakdown.py EVAL.json [EVAL2.json ...]"""
import collections, json, sys

for path in sys.argv[1:]:
    report = json.load(open(path))
    nodules = report["nodules"]
    total = sum(n["volume_ged"] for n in nodules)
    groups = collections.defaultdict(list)
    for n in nodules:
        readers = len(n["expert_volumes"])
        marking = sum(1 for v in n["expert_volumes"] if v > 0)
        groups[(marking, readers)].append(n)
    print(f"{path}: {len(nodules)} nodules, mean volume GED {total / len(nodules):.4f}")
    print("readers marking | nodules | share of volume GED | volume GED | majority as one answer"
          " | samples empty throughout | readers leaving it empty")
    for (marking, readers), group in sorted(groups.items()):
        mean = lambda key: sum(n[key] for n in group) / len(group)
        empty = sum(sum(1 for v in n["sample_volumes"] if v == 0) / len(n["sample_volumes"])
                    for n in group) / len(group)
        print(f"{marking} of {readers} | {len(group)} | {sum(n['volume_ged'] for n in group) / total:.3f}"
              f" | {mean('volume_ged'):.4f} | {mean('volume_single_mask_ged'):.4f}"
              f" | {empty:.2f} | {1 - marking / readers:.2f}")
