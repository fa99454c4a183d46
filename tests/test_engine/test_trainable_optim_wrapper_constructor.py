import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope


def _model() -> nn.Module:
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    for p in model[0].parameters():
        p.requires_grad = False
    return model


def _build(model, **kwargs):
    init_default_scope('mmseg')
    cfg = dict(
        constructor='TrainableOptimWrapperConstructor',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01),
        **kwargs)
    return build_optim_wrapper(model, cfg)


def _optimized(wrapper):
    return {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}


def test_only_trainable_parameters():
    model = _model()
    wrapper = _build(model)
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert _optimized(wrapper) == trainable and len(trainable) == 4
    assert wrapper.optimizer.defaults['lr'] == 1e-3


def test_paramwise_cfg_still_applies():
    model = _model()
    wrapper = _build(model, paramwise_cfg=dict(norm_decay_mult=0.0))
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert _optimized(wrapper) == trainable
    decays = {id(g['params'][0]): g['weight_decay']
              for g in wrapper.optimizer.param_groups}
    assert decays[id(model[1].weight)] == 0.0
    assert decays[id(model[2].weight)] == 0.01


def test_step_leaves_frozen_parameters_and_state_alone():
    model = _model()
    wrapper = _build(model)
    frozen = model[0].weight.clone()
    loss = model(torch.randn(8, 4)).sum()
    wrapper.update_params(loss)
    assert torch.equal(model[0].weight, frozen)
    assert all(p.requires_grad for p in wrapper.optimizer.state)
