"""``python -m analyses new NAME``: a new analysis that builds and passes at once.

Writes ``analyses/NAME/`` (spec, analysis and notebook), ``docs/evidence/NAME-WITH-HYPHENS.md`` and
``tests/test_NAME.py``, adds the page to the navigation in ``mkdocs.yml``, and
runs the analysis once so its results exist. The Evidence index lists every
analysis from its Spec, so there is nothing else to edit. The starting analysis charts a few
rows of the exposure catalog; replace it with your own.
"""

import keyword
import re
import sys

from analyses import _runner

NAV_MARKER = "      # new analyses: keep this line last in the Evidence section"

INIT = '''from typing import TypedDict

from analyses._spec import Spec


class Params(TypedDict):
    # Every parameter of a profile, with its type: profiles are checked against it before anything runs.
    rows: list[str]         # catalog row ids to chart


SPEC = Spec(
    title="{title}",
    # Which arguments of the sources this analysis tests: ids from analyses/arguments.py.
    tests=("essay.exposure",),
    # Its page, relative to docs/.
    page="evidence/{page}.md",
    params=Params,
    # Catalog files whose rows it may read (ctx.row(id)); only the rows it reads are part of its input hash.
    # Row ids are listed on the site's References page. Files it reads: data=("path/in/repo",) and, from
    # outside the repository, external=(External("/usr/share/...", debian="package"),), opened with ctx.data.
    catalog=("exposure",),
    # "quick" must run on a 2-core CPU in minutes; add "full" for a GPU runner, and test_overrides that
    # shrink it to seconds so the tests can run its code on a CPU.
    profiles={{"quick": {{"rows": ["gpt3_tokens", "chinchilla_tokens", "llama2_tokens", "llama3_tokens"]}}}},
)
'''

ANALYSIS = '''"""{title}.

Replace this starting point with your analysis: pure compute functions first
(each with a test in tests/test_{name}.py), then run(ctx), which records values,
tables and charts. Cite every formula and every figure's source.
"""


def tokens_per_word(words_per_token: float) -> float:
    """0.75 words/token -> 1.333 tokens/word."""
    return 1 / words_per_token


def run(ctx) -> None:
    import altair as alt

    ctx.step("reading catalog rows")
    rows = [ctx.row(row_id) for row_id in ctx.params["rows"]]
    table = [{{"row": r.id, "tokens": r.value, "source": r.source}} for r in rows]
    ctx.results.table("training_tokens", table, "Training tokens of a few language models")
    ctx.results.value("tokens_per_word", tokens_per_word(ctx.row("words_per_token").value), "tokens/word",
                      "Tokens per English word (OpenAI rule of thumb)", sources=("words_per_token",))

    ctx.step("charting")
    # Dots, not bars: a bar on a log scale starts at zero, which a log axis cannot show (a blank chart).
    chart = alt.Chart(alt.Data(values=table)).mark_point(filled=True, size=90).encode(
        x=alt.X("tokens:Q", scale=alt.Scale(type="log"), title="Training tokens (log scale)"),
        y=alt.Y("row:N", sort=None, title=None),
        tooltip=["row:N", alt.Tooltip("tokens:Q", format=".3~s"), "source:N"],
    ).properties(width=520, height=160)
    ctx.results.chart("training_tokens", chart, "Training tokens",
                      "Dots on a log scale, one per model, at the tokens it was trained on.", data="training_tokens")
'''

NOTEBOOK = '''# %% [markdown]
# # {title}: the computation, step by step
#
# Walk a reader through how the page's figures arise, with the analysis's own functions. The runner executes
# this notebook whenever it freezes the analysis, and the site shows it at computation/{name}/.

# %%
from analyses import catalog
from analyses._notebook import check, run, show_chart, show_table, values
from analyses.{name}.analysis import tokens_per_word

rows = catalog.load("exposure")

# %% [markdown]
# ## One step, checked by hand
#
# A step of the analysis on a cited figure, with its hand-worked answer.

# %%
per_word = tokens_per_word(rows["words_per_token"].value)
assert abs(per_word - 4 / 3) < 1e-12
print(f"{{per_word:.4f}} tokens per word")

# %% [markdown]
# ## The whole analysis

# %%
ctx = run("{name}")
show_table(ctx.results, "training_tokens", columns=["row", "tokens"])

# %% [markdown]
# ### Chart: training tokens
#
# Every chart of the analysis is drawn here once: the site links each chart on the page to its section.

# %%
show_chart(ctx.results, "training_tokens")

# %% [markdown]
# ## Check against the page

# %%
check("{name}", {{"tokens_per_word": per_word, **values(ctx)}}, ctx)
'''

PAGE = '''# {title}

State the argument this page tests, credit its author with a link, then show the evidence.

{{{{ chart {name}/training_tokens }}}}

One English word is about {{{{ value {name}.tokens_per_word }}}}, the inverse of OpenAI's rule of thumb of {{{{ cite words_per_token }}}}.

{{{{ table {name}/training_tokens }}}}

## Re-run

```bash
nox -s analyses -- {name} --force
```

{{{{ provenance {name} }}}}
'''

TEST = '''from analyses.{name}.analysis import tokens_per_word


def test_tokens_per_word_inverts_words_per_token():
    # Hand-worked: 3/4 of a word per token is 4/3 tokens per word.
    assert abs(tokens_per_word(0.75) - 4 / 3) < 1e-12
'''


def new(name: str) -> int:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        suggestion = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
        hint = f" (try '{suggestion}')" if re.fullmatch(r"[a-z][a-z0-9_]*", suggestion) else ""
        print(f"error: analysis name {name!r} must be a lower_snake_case Python identifier{hint}", file=sys.stderr)
        return 2
    root = _runner.ROOT
    taken = [p for p in (_runner.PACKAGE_DIR / f"{name}.py", _runner.PACKAGE_DIR / name) if p.exists()]
    if taken and name not in _runner.names():
        print(f"error: analysis name '{name}' would shadow {taken[0].relative_to(root)}, part of the framework; "
              "choose another name", file=sys.stderr)
        return 2
    page = name.replace("_", "-")  # page names use hyphens, like every other page
    targets = {
        root / "analyses" / name / "__init__.py": INIT,
        root / "analyses" / name / "analysis.py": ANALYSIS,
        root / "analyses" / name / "notebook.py": NOTEBOOK,
        root / "docs" / "evidence" / f"{page}.md": PAGE,
        root / "tests" / f"test_{name}.py": TEST,
    }
    existing = [str(p.relative_to(root)) for p in targets if p.exists()]
    if existing or (root / "analyses" / name).exists():
        print(f"error: analysis '{name}' already exists ({', '.join(existing) or 'analyses/' + name})",
              file=sys.stderr)
        return 2
    mkdocs = root / "mkdocs.yml"
    config = mkdocs.read_text()
    if NAV_MARKER not in config:
        print(f"error: mkdocs.yml lacks the line '{NAV_MARKER.strip()}' that marks where new pages go",
              file=sys.stderr)
        return 2
    title = name.replace("_", " ").capitalize()
    for path, template in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(name=name, title=title, page=page))
    mkdocs.write_text(config.replace(NAV_MARKER, f"      - {title}: evidence/{page}.md\n{NAV_MARKER}"))
    print(f"created analyses/{name}/, docs/evidence/{page}.md, tests/test_{name}.py; added the page to mkdocs.yml "
          "(the Evidence index lists it from its Spec)")
    status = _runner.run([name])
    if status == 0:
        print(f"next: edit analyses/{name}/analysis.py, then `nox -s analyses -- {name}` and `nox -s serve`")
    return status
