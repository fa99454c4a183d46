from .load_fundus_sample import LoadFundusSample
from .pack_fundus_inputs import PackFundusInputs

__all__ = ['LoadFundusSample', 'PackFundusInputs']
