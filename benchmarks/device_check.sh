#!/usr/bin/env bash
# The device checks of issue 21, for a machine with a GPU (one short run,
# a few minutes): the GPU tests (device="cuda" moves embeddings, bins,
# trunk and heads; bf16 through the accelerator; dask predictions of a GPU
# model), then rows/s on the CPU, one GPU and two processes
# (bench_scaling.py --devices: two GPUs where there are, else two CPU
# processes). Run from the repository root:
#   bash benchmarks/device_check.sh [OUT_DIR]
set -euo pipefail
out="${1:-${OUT:-benchmarks/results}}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total --format=csv || true
python -m pytest -q -p no:randomly tests/test_gpu.py 2>&1 | tee "$out/device_check_tests.log"
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python benchmarks/bench_scaling.py --devices --quick \
    --out "$out" 2>&1 | tee "$out/device_check_devices.log"
