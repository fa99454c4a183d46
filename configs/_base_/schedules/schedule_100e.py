# AdamW + cosine annealing over the whole run, epoch based (the seed's
# schedule). The cosine period follows train_cfg.max_epochs when it is
# overridden (mmengine fills in the scheduler's `end`).
optim_wrapper = dict(
    type='OptimWrapper',
    # frozen encoder parameters stay out of the optimizer
    constructor='TrainableOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    clip_grad=None)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-6,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=5)
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
