"""A toy model, data set and metric to drive FundusRunner in tests."""
import itertools
from typing import List

import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmseg.registry import METRICS
from torch.utils.data import Dataset

from setr_fundus.engine import FundusRunner

_RUN_IDS = itertools.count()


class ToyModel(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=(out - torch.stack(data_samples)).pow(2).mean())
        return [o for o in out]


class ToyDataset(Dataset):
    metainfo = dict(classes=('a', ))

    def __len__(self) -> int:
        return 4

    def __getitem__(self, idx: int) -> dict:
        return dict(inputs=torch.full((2, ), float(idx)),
                    data_samples=torch.tensor([float(idx)]))


@METRICS.register_module(name='ToyScheduledDice')
class ToyScheduledDice(BaseMetric):
    """Reports a fixed sequence of Dice values, one per evaluation."""
    scores: List[float] = []

    def process(self, data_batch, data_samples) -> None:
        self.results.append(0)

    def compute_metrics(self, results) -> dict:
        return dict(Dice=self.scores.pop(0))


def toy_runner(work_dir: str, max_epochs: int = 3, **kwargs) -> FundusRunner:
    loader = dict(dataset=ToyDataset(), batch_size=2,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  collate_fn=dict(type='pseudo_collate'))
    cfg = dict(
        model=ToyModel(),
        work_dir=work_dir,
        train_dataloader=loader,
        val_dataloader=loader,
        val_evaluator=dict(type='ToyScheduledDice'),
        train_cfg=dict(type='FundusEpochBasedTrainLoop',
                       max_epochs=max_epochs, val_interval=1),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01,
                                          momentum=0.9)),
        default_hooks=dict(
            checkpoint=dict(type='FundusCheckpointHook', interval=1,
                            filename_tmpl='model_epoch_{}.pth',
                            save_best='Dice', rule='greater')),
        default_scope='mmseg',
        experiment_name=f'toy_{next(_RUN_IDS)}')
    cfg.update(kwargs)
    return FundusRunner(**cfg)
