"""Explorable charts (analyses/_explorable.py): the frozen specs agree with their Python functions.

The browser test (tests/test_browser.py) moves every control in the page; these checks need no browser:
each output's function, at the page's defaults, gives the frozen value the prose shows, and its Vega
expression reads exactly the function's arguments.
"""

import importlib
import json
import math

import pytest

from analyses import _explorable
from analyses._explorable import Control, names, over, vega
from tests.conftest import ROOT

RESULTS = ROOT / "docs" / "results"


def explorable_specs() -> list[tuple[str, str, dict]]:
    """(analysis, chart, spec) of every frozen chart with controls."""
    found = []
    for index in sorted(RESULTS.glob("*/results.json")):
        for key, chart in json.loads(index.read_text())["charts"].items():
            spec = json.loads((index.parent / chart["spec"]).read_text())
            if "explorable" in spec.get("usermeta", {}):
                found.append((index.parent.name, key, spec))
    return found


def function(output: dict):
    return getattr(importlib.import_module(output["module"]), output["function"])


def test_the_four_pages_that_rest_on_assumptions_have_explorable_charts():
    # Data exposure, brain versus models, compute per sample and the addendum's scaling laws (issue 18).
    assert {name for name, _, _ in explorable_specs()} >= {"exposure", "brain_scale", "compute_per_sample", "scaling_laws"}


@pytest.mark.parametrize("name, chart, spec", explorable_specs(), ids=lambda x: x if isinstance(x, str) else "")
def test_outputs_at_the_defaults_are_the_frozen_values(name, chart, spec):
    meta = spec["usermeta"]["explorable"]
    params = {p["name"]: p for p in spec["params"]}
    defaults = {name_: params[name_]["value"] for name_ in [c["name"] for c in meta["controls"]] + meta["constants"]}
    values = json.loads((RESULTS / name / "results.json").read_text())["values"]
    for output in meta["outputs"]:
        f = function(output)
        assert params[output["name"]]["expr"] == f.vega, f"{name}/{chart}: the frozen expression is not the code's"
        assert names(f.vega) == set(_explorable.arguments(f)), f"{name}/{chart}: {output['name']}"
        frozen = values[output["value"]]["value"]
        # results.json keeps 8 significant figures (analyses/_results.py)
        assert math.isclose(_explorable.evaluate(f, defaults), frozen, rel_tol=1e-7), (
            f"{name}/{chart}: {output['name']} at the defaults is not {output['value']} = {frozen}")
        assert values[output["value"]]["unit"] == output["unit"], f"{name}/{chart}: {output['name']}'s unit"


def test_names_are_the_signals_an_expression_reads():
    assert names("images / (images_per_second * 3600 * pow(k, -alpha))") == {"images", "images_per_second", "k",
                                                                              "alpha"}
    assert names("fits[fit].alpha + datum.rate + 'text'") == {"fits", "fit"}
    assert names("x > 0 ? log(x) / LN10 : Infinity") == {"x"}


def test_over_reads_arguments_from_each_row():
    @vega("images / (images_per_second * hours)")
    def years(images, images_per_second, hours):
        return images / (images_per_second * hours)

    assert over(years, images_per_second="rate") == "images / (datum.rate * hours)"


def test_a_control_rejects_marks_it_could_not_show():
    with pytest.raises(ValueError, match="not all on the slider's steps"):
        Control("x", "x", "", 10, "s", cited=(3, 11), slider=(0.1, 10, 0.1))
    with pytest.raises(ValueError, match="not all on the slider's steps"):
        Control("x", "x", "", 0.25, "s", slider=(0.1, 10, 0.1))
    with pytest.raises(ValueError, match="not one of"):
        Control("x", "x", "", "c", "s", options={"a": "A", "b": "B"})
    with pytest.raises(ValueError, match="either a slider or options"):
        Control("x", "x", "", 1, "s")


def test_an_output_whose_expression_disagrees_with_its_function_is_refused():
    import altair as alt

    @vega("a * b")
    def product(a, c):
        return a * c

    chart = alt.Chart(alt.Data(values=[{}])).mark_point()
    control = Control("a", "a", "", 1, "s", slider=(0, 2, 1))
    with pytest.raises(ValueError, match=r"product takes \['a', 'c'\], its expression reads \['a', 'b'\]"):
        _explorable.explorable(chart, [control], {"c": 2}, [_explorable.Output("p", product, "", "p", "p")])
