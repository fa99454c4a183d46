from .fundus_runner import FundusRunner

__all__ = ['FundusRunner']
