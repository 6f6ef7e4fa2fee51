"""The pricing pipeline: normalise -> resolve -> stack -> amounts -> fees -> landed cost."""
from tariffs.engine.pipeline import Engine

__all__ = ["Engine"]
