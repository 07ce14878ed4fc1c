#!/usr/bin/env bash
# Builds the CUDA plugin when nvcc is available; otherwise says so in one line and leaves the rest of the
# build alone (the plugin then reports that its library was not built).
set -euo pipefail
cd "$(dirname "$0")"
NVCC="${NVCC:-$(command -v nvcc || true)}"
if [ -z "$NVCC" ]; then
  for d in "${CUDA_HOME:-}" /usr/local/cuda /usr/local/cuda-*; do
    if [ -n "$d" ] && [ -x "$d/bin/nvcc" ]; then NVCC="$d/bin/nvcc"; break; fi
  done
fi
if [ -z "$NVCC" ]; then
  echo "plugin-cuda: nvcc not found (install the CUDA toolkit or set NVCC); skipping the CUDA plugin build."
  exit 0
fi
make -s NVCC="$NVCC"
