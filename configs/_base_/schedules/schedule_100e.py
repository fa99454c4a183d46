# AdamW at the seed's 1e-4 for the encoder; the decoder and the backbone's
# spatial path, which always train from scratch, at 10x (mmseg's SETR
# recipes give heads lr_mult 10).
# Cosine annealing, epoch based, its first epoch scaled by a linear warm-up
# from 0.1x; the cosine period follows train_cfg.max_epochs when it is
# overridden (mmengine fills in the scheduler's `end`).
optim_wrapper = dict(
    type='OptimWrapper',
    # frozen encoder parameters stay out of the optimizer
    constructor='TrainableOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys={
            'decode_head': dict(lr_mult=10.0),
            'spatial_path': dict(lr_mult=10.0)
        }),
    clip_grad=None)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        begin=0,
        end=1,
        by_epoch=True,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-6,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True),
]
# FundusEpochBasedTrainLoop: EpochBasedTrainLoop that resumes a checkpoint
# written inside an epoch (by PreemptionHook) at its next batch
train_cfg = dict(
    type='FundusEpochBasedTrainLoop', max_epochs=100, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # model_epoch_{N}.pth every `interval` epochs (+ last_checkpoint for
    # --resume), best_model.pth by validation Dice, final_model.pth.
    checkpoint=dict(
        type='FundusCheckpointHook',
        by_epoch=True,
        interval=10,
        filename_tmpl='model_epoch_{}.pth',
        save_best='Dice',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='FundusVisualizationHook'))
