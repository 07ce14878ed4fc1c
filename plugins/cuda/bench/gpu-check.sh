#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: builds the CUDA plugin, runs the `core` conformance profile on it, and
# benchmarks matmul 1024/4096 (beside cuBLAS SGEMM where the machine has it), add 1e7, softmax 4096x4096
# and conv2d 1x64x56x56 with 64 3x3 filters. Run from anywhere inside the repository checkout:
#   bash plugins/cuda/bench/gpu-check.sh [output-folder]
# Needs: nvcc (CUDA 12+), the NVIDIA driver, a C compiler, and Node 20.19+ with npm. When Node is missing it
# says so and stops: bring a Node build along (its bin folder in HEARTH_NODE_DIR, with node_modules carried
# from a machine with the same Node major) or install it from your distribution first.
set -euo pipefail
[ -z "${HEARTH_NODE_DIR:-}" ] || export PATH="$HEARTH_NODE_DIR:$PATH"
cd "$(dirname "$0")/../../.."
OUT="${1:-reports/gpu-check}"
mkdir -p "$OUT"

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt" || { echo "gpu-check: nvidia-smi failed: no NVIDIA driver or GPU here."; exit 1; }
NVCC="${NVCC:-$(command -v nvcc || ls -d /usr/local/cuda*/bin/nvcc 2>/dev/null | head -1 || true)}"
[ -n "$NVCC" ] || { echo "gpu-check: nvcc not found; install the CUDA toolkit or set NVCC."; exit 1; }
"$NVCC" --version | tail -1
command -v node >/dev/null || { echo "gpu-check: Node.js is not installed; install Node 20.19+ and npm, then rerun."; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("gpu-check: Node "+process.versions.node+" is too old; need 20.19+"); process.exit(1) }'
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' 2>/dev/null || echo "(no PyTorch here; the cuBLAS comparison uses libcublas when present)"

echo "== build"
[ -d node_modules ] || npm ci --no-audit --no-fund
# Build the CUDA plugin for this card's architecture as well as the defaults.
CC_ARCH="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '.')"
make -s -C plugins/cuda -B NVCC="$NVCC" ARCHS="-gencode arch=compute_${CC_ARCH},code=sm_${CC_ARCH} -gencode arch=compute_80,code=sm_80"
npm run build >/dev/null
node tools/dist/bin.js backends | tee "$OUT/backends.txt"

echo "== conformance: core profile on cuda"
node tools/dist/bin.js conformance --plugin @hearth/plugin-cuda --device cuda --certify --report "$OUT/conformance" | tee "$OUT/conformance.txt" || true

echo "== benchmarks"
node tools/dist/bench/index.js cuda | tee "$OUT/bench-cuda.txt"
node tools/dist/bench/index.js native | tee "$OUT/bench-native.txt"
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  python3 - <<'PY' | tee "$OUT/bench-torch.txt"
import torch, time
for n in (1024, 4096):
    a = torch.randn(n, n, device="cuda"); b = torch.randn(n, n, device="cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    for _ in range(3): a @ b
    torch.cuda.synchronize(); reps = 50 if n == 1024 else 10; t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(); ms = (time.perf_counter() - t) / reps * 1e3
    print(f"torch matmul {n}: {ms:.3f} ms, {2 * n**3 / ms / 1e9:.1f} GFLOP/s")
PY
fi
echo "gpu-check: results in $OUT"
