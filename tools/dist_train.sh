#!/usr/bin/env bash
# Multi-process training with torchrun: NCCL on GPUs, gloo without CUDA.
#   bash tools/dist_train.sh CONFIG GPUS [train.py options]
# Environment: NNODES (1), NODE_RANK (0), MASTER_ADDR (127.0.0.1),
# PORT (a free port when unset; set it on every node of a multi-node run).
# Exit codes: 0 finished; 75 stopped by SIGTERM/SIGINT/SIGUSR1 with a
# resumable checkpoint (continue with --resume); other non-zero: a rank failed
# (torchrun names it). SIGTERM/SIGINT sent to this script or to its process
# group go on to torchrun, which passes them to every rank (and its data
# loader workers) and kills ranks still running after
# TORCH_ELASTIC_SHUTDOWN_TIMEOUT seconds (default 30; docs/training.md).
# SIGUSR1 would kill torchrun, so torchrun ignores it and this script passes
# it on as SIGTERM.
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PORT=${PORT:-$(python -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1]); s.close()')}

# torchrun exits with 1 whenever a rank does not exit with 0 or when it was
# signalled; ranks stopped by a signal write their own exit code (75) here.
EXIT_CODE_FILE=$(mktemp)
trap 'rm -f "$EXIT_CODE_FILE"' EXIT

LAUNCHER=
trap 'kill -TERM "$LAUNCHER" 2>/dev/null || true' TERM
trap 'kill -INT "$LAUNCHER" 2>/dev/null || true' INT
trap '' USR1  # torchrun inherits it ignored
SETR_FUNDUS_EXIT_CODE_FILE="$EXIT_CODE_FILE" \
PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
python -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}" &
LAUNCHER=$!
trap 'kill -TERM "$LAUNCHER" 2>/dev/null || true' USR1
while kill -0 "$LAUNCHER" 2>/dev/null; do
    wait "$LAUNCHER" || true  # returns early when a trap runs
done
STATUS=0
wait "$LAUNCHER" || STATUS=$?
if [ "$STATUS" -ne 0 ] && [ -s "$EXIT_CODE_FILE" ]; then
    STATUS=$(cat "$EXIT_CODE_FILE")
fi
exit "$STATUS"
