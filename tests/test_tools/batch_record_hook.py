"""Test-only hook: records which images every training iteration trains.

Registered through ``custom_imports`` (``tests.test_tools.batch_record_hook``)
by the preemption test, which compares the data order of an interrupted and
resumed run with an uninterrupted one.
"""
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class BatchRecordHook(Hook):
    """Append ``{"iter": N, "images": [...]}`` per training iteration to
    ``batches_rank{R}.jsonl`` in the work dir (image file names)."""

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        images = [
            osp.basename(sample.img_path)
            for sample in data_batch['data_samples']
        ]
        path = osp.join(runner.work_dir, f'batches_rank{get_rank()}.jsonl')
        with open(path, 'a') as f:
            f.write(json.dumps(dict(iter=runner.iter + 1, images=images)))
            f.write('\n')
