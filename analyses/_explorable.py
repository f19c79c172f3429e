"""Explorable charts: assumptions a reader can change in the page, with one formula written twice.

A chart becomes explorable when its analysis gives it controls (the assumptions, each with the page's
default and the cited range), constants (figures the reader cannot change) and outputs (what the
assumptions decide). Each output is a plain Python function whose arguments are named after controls
and constants, and which carries the same formula as a Vega expression over the same names:

    @vega("images / (images_per_second * 3600 * waking_hours * 365.25)")
    def years_to_see(images, images_per_second, waking_hours): ...

The analysis calls the function to get the page's defaults (its frozen values); the page evaluates the
expression in the reader's browser as Vega-Lite parameters (``params``) bound to inputs, with nothing
sent anywhere. ``tests/test_browser.py`` moves every control and checks the live view against the
Python function for the same inputs, so the two copies cannot drift apart unnoticed. The chart's
``usermeta.explorable`` says where the functions live and which results value each output equals at
the defaults; ``assets/javascripts/charts.js`` adds the reset button, the shareable URL and the live
numbers in the prose (``{{ live ANALYSIS/CHART NAME }}``).
"""

import dataclasses
import inspect
import math
import re
from collections.abc import Callable


def vega(expression: str) -> Callable:
    """Attach ``expression``, the function's formula in Vega's expression language, to the function."""
    def attach(function: Callable) -> Callable:
        function.vega = expression
        return function
    return attach


@dataclasses.dataclass(frozen=True)
class Control:
    """One assumption. A slider (``slider`` = min, max, step) or a choice (``options``: value -> label)."""
    name: str                    # the Vega-Lite parameter, and the argument of the output functions
    label: str                   # what the reader sees next to the input
    unit: str                    # as in results values: "images/s", "%", "" ...
    default: float | str         # the page's assumption (the essay's, where it states one)
    source: str                  # where the default and the cited range come from, in words
    cited: tuple[float, float] | None = None
    slider: tuple[float, float, float] | None = None
    options: dict | None = None

    def __post_init__(self):
        if (self.slider is None) == (self.options is None):
            raise ValueError(f"control {self.name!r}: give either a slider or options")
        if self.slider:
            low, high, step = self.slider
            ends = (self.default, *(self.cited or ()))
            # A browser's slider snaps to low + k × step: a mark off that grid could not be set exactly.
            if not all(low <= x <= high and abs((x - low) / step - round((x - low) / step)) < 1e-9 for x in ends):
                raise ValueError(f"control {self.name!r}: the default and cited range {ends} are not all on the "
                                 f"slider's steps ({low} to {high} by {step})")
        elif self.default not in self.options:
            raise ValueError(f"control {self.name!r}: default {self.default!r} is not one of {list(self.options)}")

    def parameter(self) -> dict:
        """A Vega-Lite parameter bound to an input; the label shows the default and the cited range."""
        marks = f"page: {_plain(self.default)}" if self.slider else ""
        if self.cited:
            marks += f"; cited {_plain(self.cited[0])}–{_plain(self.cited[1])}"
        name = f"{self.label} ({self.unit}; {marks})" if self.slider and self.unit else (
            f"{self.label} ({marks})" if marks else self.label)
        if self.slider:
            low, high, step = self.slider
            bind = {"input": "range", "min": low, "max": high, "step": step, "name": name}
        else:
            bind = {"input": "select", "options": list(self.options), "labels": list(self.options.values()),
                    "name": name}
        return {"name": self.name, "value": self.default, "bind": bind}


@dataclasses.dataclass(frozen=True)
class Output:
    """A quantity the controls decide: ``function``'s value, named ``name`` in the page."""
    name: str
    function: Callable           # decorated with @vega
    unit: str
    label: str
    value: str                   # the results value it equals at the defaults (checked by the tests)


def names(expression: str) -> set[str]:
    """Identifiers an expression reads, ignoring Vega's own functions and the datum's fields."""
    found = set(re.findall(r"(?<![\w.'\"])([A-Za-z_]\w*)\b(?!\s*\()", expression))
    return found - {"datum", "true", "false", "null", "Infinity", "NaN", "E", "LN2", "LN10", "LOG2E", "LOG10E", "PI",
                    "SQRT1_2", "SQRT2", "MIN_VALUE", "MAX_VALUE"}  # Vega's literals and constants


def arguments(function: Callable) -> list[str]:
    return list(inspect.signature(function).parameters)


def evaluate(function: Callable, signals: dict) -> float:
    """The Python function at the given control and constant values (it takes the ones it names)."""
    return function(**{name: signals[name] for name in arguments(function)})


def rename(function: Callable, **names_: str) -> str:
    """The function's expression with some names replaced: for a function that calls it with other arguments."""
    expression = function.vega
    for argument, name in names_.items():
        expression = re.sub(rf"(?<![\w.]){argument}(?!\w)", name, expression)
    return expression


def over(function: Callable, **fields: str) -> str:
    """The function's expression with some arguments read from each row: over(f, images_per_second="rate")
    replaces ``images_per_second`` by ``datum.rate``, for a curve drawn through the data."""
    return rename(function, **{argument: f"datum.{field}" for argument, field in fields.items()})


def explorable(chart, controls: list[Control], constants: dict, outputs: list[Output]):
    """``chart`` with the parameters and the metadata the page needs to let a reader change its assumptions.

    Fails here, naming the output, when a function's arguments and its expression's names disagree or name
    something that is neither a control nor a constant: the check that keeps the two formulas comparable.
    """
    known = {c.name for c in controls} | set(constants)
    defaults = {c.name: c.default for c in controls} | constants
    for output in outputs:
        function = output.function
        if not hasattr(function, "vega"):
            raise ValueError(f"output {output.name!r}: {function.__name__} has no @vega expression")
        wanted, written = set(arguments(function)), names(function.vega)
        if wanted != written or not wanted <= known:
            raise ValueError(f"output {output.name!r}: {function.__name__} takes {sorted(wanted)}, its expression "
                             f"reads {sorted(written)}, the chart has {sorted(known)}")
        if not math.isfinite(evaluate(function, defaults)):
            raise ValueError(f"output {output.name!r} is not finite at the defaults")
    params = ([c.parameter() for c in controls] + [{"name": k, "value": v} for k, v in constants.items()]
              + [{"name": o.name, "expr": o.function.vega} for o in outputs])
    meta = {"controls": [dataclasses.asdict(c) for c in controls], "constants": sorted(constants),
            "outputs": [{"name": o.name, "module": o.function.__module__, "function": o.function.__name__,
                         "unit": o.unit, "label": o.label, "value": o.value} for o in outputs]}
    return chart.properties(usermeta={"explorable": meta}).add_params(*(_param(p) for p in params))


def _param(definition: dict):
    import altair as alt

    return alt.param(**definition)


def _plain(x) -> str:
    return f"{x:,g}" if isinstance(x, float | int) else str(x)
