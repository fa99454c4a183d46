#!/usr/bin/env bash
# The seed's one-liner: 4-GPU training of the frozen ViT-B/16 config into
# work_dirs/FLAG. Extra arguments go to tools/train.py, e.g. --resume.
#   bash tools/train_vitb16_4gpus.sh FLAG [train.py options]
set -euo pipefail
FLAG=${1:?usage: bash tools/train_vitb16_4gpus.sh FLAG [train.py options]}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "${ROOT}/tools/dist_train.sh" \
    "${ROOT}/configs/setr_mla_vitb16_frozen_fundus.py" 4 \
    --work-dir "work_dirs/${FLAG}" "${@:2}"
