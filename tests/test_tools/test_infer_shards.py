"""``tools/infer.py`` in two shards, one killed with SIGKILL midway and run
again, against one uninterrupted run: the scaled-down version of
``.dev_scripts/infer_shards_kill.py`` (40 photographs instead of 1,000),
run through that script."""
import os.path as osp
import re

import torch
from mmengine.config import Config

from tests.model_utils import random_model
from .tool_utils import REPO_ROOT, run_tool

TINY = osp.join(osp.dirname(__file__), 'data', 'tiny_config.py')


def test_killed_shard_resumes_to_the_uninterrupted_outputs(tmp_path):
    checkpoint = tmp_path / 'tiny.pth'
    torch.save(
        dict(state_dict=random_model(Config.fromfile(TINY)).state_dict()),
        checkpoint)
    output = run_tool([
        osp.join(REPO_ROOT, '.dev_scripts',
                 'infer_shards_kill.py'), TINY, checkpoint, '--work-dir',
        tmp_path / 'run', '--num', '40', '--shards', '2', '--kills', '1'
    ],
                      timeout=300)
    killed_at = re.search(r'shard 1/2: SIGKILL at (\d+) of 20 rows', output)
    assert killed_at and 10 <= int(killed_at[1]) < 20, output
    assert 'OK: one row per photograph (40)' in output
    rows = (tmp_path / 'run' / 'sharded' / 'inference.csv').read_text()
    assert rows.count('\n') == 41 and rows.count(',failed,') == 1
