"""Using a trained model on photographs (``tools/infer.py``), on mmseg's
inference APIs."""
from .infer_files import (InferenceStopped, InferenceSummary, list_images,
                          read_path_list, remove_temporaries, segment_files)
from .inference import VesselSegmenter, load_model_weights
from .inference_csv import (ARTERY_VEIN_COLUMNS, COLUMNS, MERGED_CSV, ShardCSV,
                            done_stems, merge_shard_csvs, ok_row, read_rows,
                            shard_csv_path, shard_csvs)
from .photo_dataset import PhotoDataset, first_item, photo_dataloader
from .sharding import (Shard, parse_shard, rank_device, resolve_shard,
                       slurm_array_shard)

__all__ = [
    'InferenceStopped', 'InferenceSummary', 'list_images', 'read_path_list',
    'remove_temporaries', 'segment_files', 'VesselSegmenter',
    'load_model_weights', 'ARTERY_VEIN_COLUMNS', 'COLUMNS', 'MERGED_CSV',
    'ShardCSV', 'done_stems', 'merge_shard_csvs', 'ok_row', 'read_rows',
    'shard_csv_path', 'shard_csvs', 'PhotoDataset', 'first_item',
    'photo_dataloader', 'Shard', 'parse_shard', 'rank_device', 'resolve_shard',
    'slurm_array_shard'
]
