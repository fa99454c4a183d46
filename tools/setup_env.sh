#!/usr/bin/env bash
# One-command set-up of setr_fundus into the active Python environment.
#
#   bash tools/setup_env.sh
#
# Installs a matching torch/torchvision pair (keeping one that already works),
# the OpenMMLab stack (mmengine, mmcv with compiled ops built from source,
# mmsegmentation, mmpretrain), the runtime and test requirements, and this
# plugin in editable mode. Idempotent: each step checks what is installed and
# skips itself, so a second run takes seconds. Any failure names its step.
#
# Environment:
#   TORCH_SPEC   torch/torchvision pair to install when none works
#                (default "torch==2.14.1 torchvision==0.29.1")
#   MAX_JOBS     parallel compile jobs for mmcv (default: number of cores)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python}"
PIP=("$PY" -m pip --disable-pip-version-check)
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"
MMCV_VERSION="2.1.0"
STEP="start"
trap 'echo "setup_env.sh: FAILED at step: ${STEP}" >&2' ERR

step() {
    STEP="$1"
    echo "==> [$(date +%H:%M:%S)] ${STEP}"
}

pip_install() {
    # Installing already-satisfied requirements is a quick no-op in pip.
    "${PIP[@]}" install --quiet -c requirements/constraints.txt "$@"
}

step "check python and pip"
"$PY" - <<'EOF'
import sys
if sys.version_info < (3, 8):
    raise SystemExit(f'Python >= 3.8 is required, found {sys.version}')
print('python', sys.version.split()[0], 'at', sys.executable)
EOF

step "torch + torchvision"
# Keep a pair that already imports and runs torchvision's compiled ops (for
# example a user's CUDA build); otherwise install the matching pair.
torch_pair_works() {
    "$PY" - <<'EOF' >/dev/null 2>&1
import torch, torchvision
boxes = torch.tensor([[0., 0., 1., 1.], [0., 0., 1., 1.]])
torchvision.ops.nms(boxes, torch.tensor([1., .5]), .5)
EOF
}
if torch_pair_works; then
    echo "keeping the installed torch/torchvision pair"
else
    # shellcheck disable=SC2086
    pip_install ${TORCH_SPEC}
    torch_pair_works || { echo "torch/torchvision (${TORCH_SPEC}) do not run together" >&2; false; }
fi

step "build requirements (setuptools>=77,<80, ninja, wheel)"
pip_install -r requirements/build.txt

step "runtime and test requirements"
pip_install -r requirements/runtime.txt -r requirements/tests.txt -r requirements/optional.txt

step "mmengine"
pip_install "mmengine>=0.10.0,<0.11.0"

step "mmcv ${MMCV_VERSION} with compiled ops"
mmcv_ops_work() {
    "$PY" - <<EOF >/dev/null 2>&1
import mmcv, torch
assert mmcv.__version__ == '${MMCV_VERSION}', mmcv.__version__
from mmcv.ops import nms
nms(torch.tensor([[0., 0., 1., 1.], [0., 0., 1., 1.]]), torch.tensor([1., .5]), .5)
EOF
}
if mmcv_ops_work; then
    echo "mmcv ${MMCV_VERSION} ops load and run"
else
    # Build from the sdist against the installed torch (about 30 min on 2
    # cores). Recent torch headers require C++20 while mmcv 2.1.0's setup.py
    # asks for C++17: raise the standard in the unpacked source when the
    # installed headers say so. Building from a local folder keeps pip from
    # reusing a wheel it once built against another torch.
    BUILD_DIR="${SETR_FUNDUS_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/setr_fundus}"
    SRC="${BUILD_DIR}/mmcv-${MMCV_VERSION}"
    rm -rf "${SRC}" && mkdir -p "${BUILD_DIR}"
    "${PIP[@]}" download --quiet --no-deps --no-binary :all: "mmcv==${MMCV_VERSION}" -d "${BUILD_DIR}"
    tar -xzf "${BUILD_DIR}/mmcv-${MMCV_VERSION}.tar.gz" -C "${BUILD_DIR}"
    ATEN_H="$("$PY" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include", "ATen", "ATen.h"))')"
    if grep -q "C++20 or later" "${ATEN_H}"; then
        sed -i 's/-std=c++17/-std=c++20/g' "${SRC}/setup.py"
    fi
    "${PIP[@]}" uninstall --yes --quiet mmcv mmcv-lite 2>/dev/null || true
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" pip_install --no-build-isolation "${SRC}"
    mmcv_ops_work || { echo "mmcv.ops does not load or run after building" >&2; false; }
fi

step "mmsegmentation and mmpretrain"
pip_install "mmsegmentation==1.2.2" "mmpretrain>=1.2.0,<1.3.0"

step "setr_fundus (editable)"
pip_install --no-build-isolation --no-deps -e .

step "import the whole stack"
"$PY" - <<'EOF'
import mmcv, mmcv.ops, mmengine, mmpretrain, mmseg, numpy, torch, torchvision
import setr_fundus
for mod in (torch, torchvision, numpy, mmengine, mmcv, mmseg, mmpretrain, setr_fundus):
    print(f'{mod.__name__:<12} {mod.__version__}')
EOF
STEP="done"
echo "setup_env.sh: environment ready"
