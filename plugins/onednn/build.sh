#!/usr/bin/env bash
# Builds the oneDNN plugin when oneDNN's headers are installed; otherwise says so in one line and leaves
# the rest of the build alone (the plugin then reports what to install).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f /usr/include/dnnl.h ] && [ ! -f /usr/include/oneapi/dnnl/dnnl.h ] && [ -z "${DNNL_INCLUDE:-}" ]; then
  echo "plugin-onednn: oneDNN not found (apt-get install libdnnl-dev); skipping the oneDNN plugin build."
  exit 0
fi
make -s ${DNNL_INCLUDE:+CFLAGS="-O3 -I$DNNL_INCLUDE"}
