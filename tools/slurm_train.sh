#!/usr/bin/env bash
# Training on a Slurm cluster, one task per GPU.
#   [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=5 SIGNAL=TERM@120] \
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py options]
# SIGNAL: Slurm sends SIGTERM to every process of the tasks (data loader
# workers included) 120 s before the time limit (preemption sends SIGTERM too,
# GraceTime before SIGKILL; USR1@120 works the same); training then saves
# model_iter_N.pth and exits with 75. Continue with the same command and
# --resume (docs/training.md, "Faults").
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
GPUS=${GPUS:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SIGNAL=${SIGNAL:-TERM@120}
SRUN_ARGS=${SRUN_ARGS:-""}

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    --gres=gpu:"${GPUS_PER_NODE}" \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    --signal="${SIGNAL}" \
    ${SRUN_ARGS} \
    python -u "$(dirname "$0")/train.py" "${CONFIG}" --launcher slurm "${@:4}"
