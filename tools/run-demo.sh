#!/usr/bin/env bash
# The one run command: installs dependencies, builds, and opens the review window
# on the built-in demo study (a synthetic chest CT with three nodules) with the
# shipped model; it marks the part-solid nodule and samples it at once.
# Without a display it runs under Xvfb and saves a screenshot instead.
# FLOWSEG_CLI_DEMO=1 runs the command-line pipeline (synth -> train -> sample -> eval).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
if [[ ${FLOWSEG_CLI_DEMO:-0} == 1 ]]; then
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
  exit 0
fi
tools/build.sh flowseg-review
if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
  exec build/bin/flowseg-review --demo "$@"
fi
echo "run-demo: no display; running under Xvfb and saving demo-review.png"
xvfb-run -a -s "-screen 0 1600x1000x24" build/bin/flowseg-review --demo --screenshot demo-review.png "$@"
