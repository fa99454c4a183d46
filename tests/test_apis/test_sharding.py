import pytest

from setr_fundus.apis import (Shard, parse_shard, rank_device, resolve_shard,
                              slurm_array_shard)

ITEMS = [f'photo_{i:02d}.png' for i in range(13)]


@pytest.mark.parametrize('count', [1, 2, 4, 5, 13, 20])
def test_shards_cover_the_list_once(count):
    parts = [Shard(i, count).select(ITEMS) for i in range(count)]
    assert sorted(p for part in parts for p in part) == ITEMS
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_parse_shard():
    assert parse_shard('1/4') == Shard(0, 4)
    assert parse_shard(' 4 / 4 ') == Shard(3, 4)
    assert str(Shard(1, 4)) == '2/4'
    for bad in ('0/4', '5/4', '1/0', 'a/b', '2', '-1/4'):
        with pytest.raises(ValueError, match='K/N'):
            parse_shard(bad)


@pytest.mark.parametrize('ids, first, step', [(range(0, 4), 0, 1),
                                              (range(1, 5), 1, 1),
                                              (range(0, 31, 10), 0, 10)])
def test_slurm_arrays_of_four_tasks(ids, first, step):
    shards = [
        slurm_array_shard(
            dict(
                SLURM_ARRAY_TASK_ID=str(task),
                SLURM_ARRAY_TASK_MIN=str(first),
                SLURM_ARRAY_TASK_STEP=str(step),
                SLURM_ARRAY_TASK_COUNT='4')) for task in ids
    ]
    assert shards == [Shard(i, 4) for i in range(4)]


def test_slurm_errors_and_absence():
    assert slurm_array_shard({}) is None
    assert slurm_array_shard(dict(SLURM_JOB_ID='7')) is None
    env = dict(SLURM_ARRAY_TASK_MIN='1', SLURM_ARRAY_TASK_COUNT='3')
    with pytest.raises(ValueError, match='task 7 .*--shard'):
        slurm_array_shard(dict(env, SLURM_ARRAY_TASK_ID='7'))  # --array=1,3,7
    with pytest.raises(ValueError, match='not an integer'):
        slurm_array_shard(dict(env, SLURM_ARRAY_TASK_ID='x'))


def test_resolve_shard_order_and_torchrun_ranks():
    slurm = dict(SLURM_ARRAY_TASK_ID='1', SLURM_ARRAY_TASK_COUNT='4')
    assert resolve_shard(None, {}) == Shard(0, 1)
    assert resolve_shard(None, slurm) == Shard(1, 4)
    assert resolve_shard('3/5', slurm) == Shard(2, 5)
    # ranks split their shard once more: together exactly the shard
    ranks = [
        resolve_shard('2/3', dict(RANK=str(r), WORLD_SIZE='2'))
        for r in range(2)
    ]
    assert ranks == [Shard(1, 6), Shard(4, 6)]
    together = sorted(p for shard in ranks for p in shard.select(ITEMS))
    assert together == sorted(Shard(1, 3).select(ITEMS))
    with pytest.raises(ValueError, match='RANK=2'):
        resolve_shard(None, dict(RANK='2', WORLD_SIZE='2'))


def test_rank_device():
    assert rank_device('cuda', dict(LOCAL_RANK='3')) == 'cuda:3'
    assert rank_device('cuda', {}) == 'cuda'
    assert rank_device('cuda:1', dict(LOCAL_RANK='3')) == 'cuda:1'
    assert rank_device('cpu', dict(LOCAL_RANK='3')) == 'cpu'
