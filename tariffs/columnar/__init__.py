"""Columnar pricing core: compile a RuleSet once into integer tables, then price a whole frame of
US lines with array operations (joins, masks, group sums), exact to the cent against the scalar
engine. ``price`` marks with ``path`` None the rows it does not price (see ``UNSUPPORTED``)."""
from tariffs.columnar.compile import Compiled, compile_rules
from tariffs.columnar.price import UNSUPPORTED, price

__all__ = ["Compiled", "compile_rules", "price", "UNSUPPORTED"]
