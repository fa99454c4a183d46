# Runtime shared by every setr_fundus config.
default_scope = 'mmseg'
# FundusRunner: trusted checkpoint loading under torch >= 2.6, atomic
# checkpoint saving, gloo DDP and plain BN on machines without CUDA.
runner_type = 'FundusRunner'
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
# BN in the configs; converted to SyncBN for multi-GPU runs only.
sync_bn = 'torch'
vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardVisBackend'),
]
visualizer = dict(
    type='FundusVisualizer', vis_backends=vis_backends, name='visualizer')
# Tags with hierarchy: train/loss, train/lr, val/Dice, val/val_loss, ...
log_processor = dict(by_epoch=True, log_with_hierarchy=True)
log_level = 'INFO'
load_from = None
resume = False
tta_model = dict(type='FundusTTAModel')
# Average BN running statistics across ranks after each training epoch and
# before validation (needed where SyncBN is not used, e.g. DDP on the CPU).
# Stop at the first NaN/Inf loss and never save non-finite weights; on
# SIGTERM/SIGINT/SIGUSR1 finish the iteration, save model_iter_N.pth (resumable)
# and exit with 75 (docs/training.md, "Faults").
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='NaNGuardHook'),
    dict(type='PreemptionHook'),
]
