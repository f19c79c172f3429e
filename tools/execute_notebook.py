"""Execute one analysis's notebook against its committed results, without re-running the analysis.

    .nox/shared/bin/python tools/execute_notebook.py NAME [OUT.ipynb]

For writing a notebook: it executes analyses/NAME/notebook.py exactly as the runner does when it freezes
the analysis, prints each cell's outputs in short, and writes the executed notebook to OUT.ipynb (default
/tmp/NAME.ipynb). The frozen copy in docs/results/NAME/ is made only by `nox -s analyses -- NAME`.
"""

import json
import sys
import time

from analyses import _runner

name = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/{name}.ipynb"
profile = _runner.recorded_profile(name)
t0 = time.perf_counter()
try:
    executed = _runner.execute_notebook(name, _runner.RESULTS_DIR / name, profile, "cpu", False)
except _runner.AnalysisError as error:
    sys.exit(f"error: {error}")
with open(out, "wb") as f:
    f.write(executed)
for i, cell in enumerate(json.loads(executed)["cells"], 1):
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        text = output.get("text") or data.get("text/markdown") or data.get("text/plain") or ""
        print(f"[cell {i}] {output['output_type']}: {''.join(text)[:400]}")
print(f"executed in {time.perf_counter() - t0:.1f} s; written to {out}")
