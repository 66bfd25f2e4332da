#!/usr/bin/env bash
# The one run command: installs dependencies, builds, and runs the engine demo:
# synthetic multi-rater data -> a short training of the small network -> M samples
# with uncertainty maps -> evaluation. Outputs go to demo-output/ (or $1).
# 64x64 crops keep the CPU training to ~3 minutes on 2 cores.
# (Until the review window exists, this is the CLI demo.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh flowseg
out="${1:-demo-output}"
rm -rf "$out"
bin=build/bin/flowseg
iters="${FLOWSEG_DEMO_ITERS:-600}"
set -x
"$bin" synth --out "$out/train" --cases 64 --size 64 --raters 4 --seed 1
"$bin" synth --out "$out/test" --cases 8 --size 64 --raters 8 --seed 2
"$bin" train --data "$out/train" --out "$out/model.fsm" --preset small --iters "$iters" --batch 8 --lr 1e-3 --seed 1 --log-every 25
"$bin" sample --model "$out/model.fsm" --image "$out/test/case_0/image.png" --out "$out/sample" --solver heun --steps 10 --trajectory 2
"$bin" eval --model "$out/model.fsm" --data "$out/test" --solver heun --steps 10
"$bin" demo-study --out "$out/demo-ct"
"$bin" dicom-info "$out/demo-ct"
set +x
echo "demo finished: samples, probability, variance and heatmap PNGs are in $out/sample"
