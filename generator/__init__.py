"""Realistic multichannel landing data with hidden ground truth.

``generate(GeneratorConfig(...), out)`` writes every feed's landing files under ``out/landing`` and the
truth behind them under ``out/truth``: which person each row belongs to, which rows are deliberately bad
and why, the people themselves, their lifecycle stage month by month, and the look-alikes (households,
twins, namesakes, shared emails) that a correct matcher must keep apart.
"""

from generator.config import GenerationSummary, GeneratorConfig, GeneratorConfigError
from generator.runner import OutputFolderError, generate

__all__ = ["GenerationSummary", "GeneratorConfig", "GeneratorConfigError", "OutputFolderError", "generate"]
