from .fundus_visualizer import FundusVisualizer, vessel_comparison

__all__ = ['FundusVisualizer', 'vessel_comparison']
