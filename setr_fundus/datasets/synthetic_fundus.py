"""SyntheticFundusDataset: the procedural fundus set, written to disk once."""
import hashlib
import json
import os
import os.path as osp
import shutil
import tempfile
from typing import Sequence

from mmseg.registry import DATASETS

from . import synthetic
from .fundus_vessel import FundusVesselDataset
from .synthetic import DRIVE_SIZE, write_drive_layout

#: File written last into a complete synthetic set, holding its settings.
SETTINGS_FILE = 'synthetic.json'


@DATASETS.register_module()
class SyntheticFundusDataset(FundusVesselDataset):
    """The synthetic fundus set of
    :func:`~setr_fundus.datasets.synthetic.generate_fundus`, in the DRIVE
    layout, for a first run and for tests with nothing to download.

    The set is written once by
    :func:`~setr_fundus.datasets.write_drive_layout` (the writer of
    ``tools/misc/make_synthetic_fundus.py``, so equal settings give equal
    files) into ``data_root``, by default a folder named after the settings
    under the system's temporary directory, and then read as DRIVE is. It is
    written into a temporary folder and renamed into place, so concurrent
    ranks or workers never see half a set. A ``data_root`` that exists
    without ``synthetic.json`` of the same settings (and the same version of
    the generator) is refused rather than written into.

    Args:
        num_train (int): Training images ('train' and 'val'). Defaults to 20.
        num_test (int): Test images. Defaults to 20.
        size (Sequence[int]): Image size (H, W). Defaults to (584, 565).
        seed (int): Base seed. Defaults to 0.
        data_root (str): Folder of the set; '' picks one under
            ``tempfile.gettempdir()``. Defaults to ''.
        **kwargs: As :class:`FundusVesselDataset` (``split``, ``holdout``,
            ``pipeline``, ...); the layout is 'drive'.
    """

    def __init__(self,
                 num_train: int = 20,
                 num_test: int = 20,
                 size: Sequence[int] = DRIVE_SIZE,
                 seed: int = 0,
                 data_root: str = '',
                 **kwargs) -> None:
        for key, value in (('num_train', num_train), ('num_test', num_test)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'{key} must be an int >= 1, got {value!r}')
        self.settings = dict(
            num_train=num_train,
            num_test=num_test,
            size=[int(v) for v in size],
            seed=seed,
            generator=_generator_version())
        if not data_root:
            key = hashlib.sha1(json.dumps(
                self.settings, sort_keys=True).encode()).hexdigest()[:12]
            data_root = osp.join(tempfile.gettempdir(),
                                 'setr_fundus_synthetic', key)
        self._materialize(data_root)
        super().__init__(data_root=data_root, layout='drive', **kwargs)

    def _materialize(self, data_root: str) -> None:
        """Write the set into ``data_root`` unless it is there already."""
        settings_file = osp.join(data_root, SETTINGS_FILE)
        if osp.isfile(settings_file):
            with open(settings_file) as f:
                found = json.load(f)
            if found != self.settings:
                raise ValueError(
                    f'{data_root} holds a synthetic set of other settings '
                    f'({found}, wanted {self.settings}); use another '
                    'data_root')
            return
        if osp.exists(data_root) and os.listdir(data_root):
            raise ValueError(
                f'{data_root} exists and is not a synthetic set (no '
                f'{SETTINGS_FILE}); SyntheticFundusDataset writes only into '
                'a new or empty folder')
        parent = osp.dirname(osp.abspath(data_root))
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix='.synthetic.', dir=parent)
        try:
            write_drive_layout(tmp, self.settings['num_train'],
                               self.settings['num_test'],
                               tuple(self.settings['size']),
                               self.settings['seed'])
            with open(osp.join(tmp, SETTINGS_FILE), 'w') as f:
                json.dump(self.settings, f)
            if osp.isdir(data_root) and not os.listdir(data_root):
                os.rmdir(data_root)
            os.rename(tmp, data_root)
        except OSError:
            # another process renamed its copy into place first
            if not osp.isfile(settings_file):
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _generator_version() -> str:
    """A digest of the generator's source: a set written by another version
    of it is not taken for this one's."""
    with open(synthetic.__file__, 'rb') as f:
        return hashlib.sha1(f.read()).hexdigest()[:12]
