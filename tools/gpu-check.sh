#!/usr/bin/env bash
# Builds core/engine + `flowseg bench` against a given LibTorch (e.g. the CUDA one
# inside a PyTorch install) on a machine without Qt, DCMTK or OpenCV, runs the
# benchmarks on the CPU and, where a GPU is present, on CUDA, compares CUDA with
# CPU results, and prints one table. Without a GPU it still builds and runs the
# CPU path.
#
#   tools/gpu-check.sh --prepare-headers   # on a Debian machine: copy the header-only
#                                          # dependencies into third_party/headers
#   tools/gpu-check.sh [TORCH_CMAKE_PREFIX] # default: the installed PyTorch's, else the system's
#
# Outputs (JSON per run and table.txt) go to $GPU_CHECK_OUT (default gpu-check-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
headers="$PWD/third_party/headers"
if [[ "${1:-}" == "--prepare-headers" ]]; then
  mkdir -p "$headers"
  cp -r /usr/include/nlohmann /usr/include/CLI "$headers/"
  echo "copied nlohmann-json and CLI11 headers to $headers (carry third_party/ to the GPU box)"
  exit 0
fi
prefix="${1:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)}"
build="${GPU_CHECK_BUILD:-build-gpu}"
out="${GPU_CHECK_OUT:-gpu-check-out}"
mkdir -p "$out"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DFLOWSEG_IMAGING=OFF -DFLOWSEG_DICOM=OFF -DFLOWSEG_DB=OFF -DFLOWSEG_GUI=OFF -DFLOWSEG_TESTS=OFF \
  -DFLOWSEG_WERROR=OFF -DFLOWSEG_HEADER_DIR="$headers" ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} >"$out/configure.log"
cmake --build "$build" --target flowseg -j "$(nproc)" >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
bin="$build/bin/flowseg"

fast="default,midpoint:4,midpoint:3,euler:10,midpoint:5,rk4:2,rk4:3"
shipped=models/default.fsm
echo "== CPU =="
"$bin" bench --device cpu --model "$shipped" --cases 1 --settings "$fast" --train-presets small --train-batch 16 \
  --train-steps 2 --json >"$out/bench-cpu.json"
devices=(cpu)
if "$bin" bench --device cuda --preset tiny --settings euler:1 --cases 1 --train-presets "" --json \
     >"$out/probe-cuda.json" 2>"$out/probe-cuda.err"; then
  devices+=(cuda)
  echo "== CUDA =="
  # Quality and speed of the shipped model (128 px) on 16 synthetic cases, in fp32
  # and under bf16 / fp16 autocast (GED difference against fp32 in the table).
  for precision in fp32 bf16 fp16; do
    "$bin" bench --device cuda --model "$shipped" --cases 3 --settings "paper,$fast" \
      --eval-synthetic 16 --train-presets "" --precision "$precision" --json >"$out/bench-cuda-shipped-$precision.json"
  done
  # The paper-size network (128 px, 25M parameters) and the small one: speed per
  # case, training at batch 64, CPU-vs-CUDA agreement; then bf16 + channels-last.
  for preset in small paper; do
    "$bin" bench --device cuda --preset "$preset" --cases 3 --settings "paper,$fast" \
      --train-presets "$preset" --train-batch 64 --train-steps 5 --compare-devices \
      --json >"$out/bench-cuda-$preset-fp32.json"
    "$bin" bench --device cuda --preset "$preset" --cases 3 --settings "paper,$fast" \
      --train-presets "" --precision bf16 --channels-last --json >"$out/bench-cuda-$preset-bf16-nhwc.json"
  done
  # Optional: train a model on the GPU (GPU_TRAIN_STEPS=N; 128 px synthetic cases in memory),
  # constant rate for the first three quarters, then the shipped model's cool-down.
  if [[ -n "${GPU_TRAIN_STEPS:-}" ]]; then
    "$bin" train --synthetic 4096 --synthetic-size 128 --synthetic-raters 4 --synthetic-seed 1 \
      --preset "${GPU_TRAIN_PRESET:-small}" --batch 64 --lr 1e-3 --seed 1 --iters "$GPU_TRAIN_STEPS" \
      --lr-decay-start "$(( GPU_TRAIN_STEPS * 3 / 4 ))" \
      --device cuda --checkpoint-every 1000 --out "$out/gpu-trained.fsm" --log-every 200 2>"$out/train.log"
    "$bin" bench --device cuda --model "$out/gpu-trained.fsm" --cases 3 --settings "paper,$fast" \
      --eval-synthetic 16 --train-presets "" --json >"$out/bench-cuda-trained-fp32.json"
  fi
  # Optional: continue the synthetic-lesion model (models/synthetic.fsm, the start of the
  # shipped real-data model) on the GPU (GPU_FINETUNE_STEPS=N) on many more lesions than
  # it saw (GPU_FINETUNE_CASES, default 16384, drawn on all cores), batch 64, rate 3e-4
  # cooling down over the last third; then its GED on the 64 cases of eval128 (seed 2,
  # 8 raters, drawn in memory) at the default setting, next to the synthetic model's.
  # (Training on the real LIDC crops needs the full build, which reads PNG:
  # tools/train-default-model.sh, whose `flowseg train` picks the GPU by itself.)
  if [[ -n "${GPU_FINETUNE_STEPS:-}" ]]; then
    "$bin" train --synthetic "${GPU_FINETUNE_CASES:-16384}" --synthetic-size 128 --synthetic-raters 4 \
      --synthetic-seed 1 --init models/synthetic.fsm --batch 64 --lr 3e-4 --seed 1 --iters "$GPU_FINETUNE_STEPS" \
      --lr-decay-start "$(( GPU_FINETUNE_STEPS * 2 / 3 ))" \
      --device cuda --checkpoint-every 1000 --out "$out/gpu-finetuned.fsm" --log-every 200 2>"$out/finetune.log"
    for m in models/synthetic.fsm "$out/gpu-finetuned.fsm"; do
      "$bin" bench --device cuda --model "$m" --cases 1 --settings "default" --eval-synthetic 64 \
        --train-presets "" --json >"$out/bench-cuda-eval64-$(basename "$m" .fsm).json"
    done
  fi
else
  echo "no CUDA device here ($(head -c 200 "$out/probe-cuda.err")); CPU path only"
fi

python3 - "$out" "${devices[@]}" <<'PY' | tee "$out/table.txt"
import glob, json, os, sys
out = sys.argv[1]
runs = {os.path.basename(p)[6:-5]: json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "bench-*.json")))}
print(f"{'run':<28} {'setting':<12} {'passes':>7} {'s/case':>9} {'GFLOP/s':>9} {'of mm':>7} {'GED':>7} {'dGED':>8}")
for run, d in runs.items():
    # GED difference against the same setting in fp32 (bf16 / fp16 runs of the shipped model)
    base = runs.get(run.rsplit("-", 1)[0] + "-fp32") if run.endswith(("-bf16", "-fp16")) else None
    reference = {s["name"]: s.get("ged") for s in base["settings"]} if base else {}
    for s in d["settings"]:
        ged = "-" if s.get("ged") is None else f"{s['ged']:.4f}"
        r = reference.get(s["name"])
        delta = f"{s['ged'] - r:+.4f}" if r is not None and s.get("ged") is not None else "-"
        print(f"{run:<28} {s['name']:<12} {s['passes_per_case']:>7.0f} {s['seconds_per_case']:>9.4f} "
              f"{s['gflops']:>9.1f} {100 * s['fraction_of_matmul']:>6.0f}% {ged:>7} {delta:>8}")
    for t in d.get("train", []):
        print(f"{run:<28} train {t['preset']:<6} batch {t['batch']}: {t['iterations_per_second']:.2f} it/s")
    a = d.get("device_agreement") or {}
    if a.get("available"):
        print(f"{run:<28} CUDA vs CPU: max |diff| {a['max_abs_difference']:.2e}, "
              f"mask agreement {100 * a['mask_pixel_agreement']:.3f}% ({a['setting']})")
    print(f"{run:<28} matmul {d['matmul_gflops']:.0f} GFLOP/s, {d['device']}, torch {d['torch_version']}, BLAS {d['blas']}")
PY
