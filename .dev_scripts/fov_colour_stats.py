"""The colour statistics ``StandardizeFOVColour`` maps every photograph to:
per channel (BGR), the mean over a split's photographs of their FOV means
and FOV standard deviations, taken as the transform takes them
(docs/artery_vein.md)::

    python .dev_scripts/fov_colour_stats.py configs/quickstart_drive.py

The photographs and FOV masks are the training loader's set (its split and
hold-out), loaded by mmcv's ``LoadImageFromFile`` and
``LoadFundusAnnotations`` as in training.
"""
import argparse

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

import setr_fundus  # noqa: F401
from setr_fundus.datasets.transforms.standardize_fov_colour import \
    fov_colour_stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    init_default_scope('mmseg')
    dataset_cfg = cfg.train_dataloader.dataset
    while dataset_cfg.type == 'RepeatDataset':
        dataset_cfg = dataset_cfg.dataset
    loading = next(step for step in dataset_cfg.pipeline
                   if step['type'] == 'CachedLoad')['transforms'][:2]
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=loading))
    means, stds = [], []
    for index in range(len(dataset)):
        sample = dataset[index]
        mean, std = fov_colour_stats(sample['img'], sample['gt_fov_mask'])
        means.append(mean)
        stds.append(std)
    print(f'{len(dataset)} photographs ({dataset_cfg.split} split)')
    print('FOV mean (BGR):', np.round(np.mean(means, axis=0), 1),
          'between photographs sd', np.round(np.std(means, axis=0), 1))
    print('FOV sd (BGR):  ', np.round(np.mean(stds, axis=0), 1),
          'between photographs sd', np.round(np.std(stds, axis=0), 1))


if __name__ == '__main__':
    main()
