"""Photographs decoded and prepared in data loader workers, so that the
CPU work before the model overlaps the model."""
import time
from typing import Callable, List, Sequence, Tuple

from torch.utils.data import DataLoader, Dataset

from ..datasets import PhotoLoader


class PhotoDataset(Dataset):
    """Photographs read by a :class:`~setr_fundus.datasets.PhotoLoader`
    and run through a segmenter's pipeline
    (:attr:`VesselSegmenter.pipeline`).

    An item is a dict with ``path``, ``stem``, ``seconds`` (spent on it
    here) and either ``img`` (the uint8 HxWx3 BGR photograph) and ``data``
    (the pipeline's output) or ``error`` (``'<exception type>: <message>'``
    of the photograph that could not be read or prepared; the run goes on).

    Args:
        items (Sequence[tuple[str, str]]): ``(path, output stem)`` per
            photograph.
        loader (PhotoLoader): Decodes a photograph.
        pipeline (Callable[[dict], dict]): Prepares ``dict(img=img)`` for
            the model.
    """

    def __init__(self, items: Sequence[Tuple[str, str]], loader: PhotoLoader,
                 pipeline: Callable[[dict], dict]) -> None:
        self.items = list(items)
        self.loader = loader
        self.pipeline = pipeline

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        path, stem = self.items[index]
        start = time.perf_counter()
        item = dict(path=path, stem=stem)
        try:
            img = self.loader(path)
            item.update(img=img, data=self.pipeline(dict(img=img)))
        except Exception as err:  # one photograph's failure, recorded
            item['error'] = f'{type(err).__name__}: {err}'
        item['seconds'] = time.perf_counter() - start
        return item


def first_item(batch: List[dict]) -> dict:
    """Collate of a batch of one photograph: the item itself (photographs
    differ in size, so they are not stacked).

    Args:
        batch (list[dict]): One item.

    Returns:
        dict: The item.
    """
    return batch[0]


def photo_dataloader(dataset: PhotoDataset, num_workers: int) -> DataLoader:
    """A loader giving the items of ``dataset`` in order, one at a time,
    prepared by ``num_workers`` processes (0: in this process).

    Args:
        dataset (PhotoDataset): The photographs.
        num_workers (int): Worker processes.

    Returns:
        DataLoader: torch's loader with batch size 1 and
        :func:`first_item`.
    """
    if num_workers < 0:
        raise ValueError(f'num_workers must be >= 0, got {num_workers}')
    return DataLoader(
        dataset,
        batch_size=1,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=first_item)
