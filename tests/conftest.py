import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def run_cli(*args, cwd=ROOT, check=False):
    """Run `python -m analyses ARGS` in ``cwd``; returns the CompletedProcess."""
    result = subprocess.run([sys.executable, "-m", "analyses", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    return result


@pytest.fixture
def repo_copy(tmp_path):
    """A throwaway copy of the parts of the repository the runner and the site build use."""
    dest = tmp_path / "repo"
    dest.mkdir()
    for name in ("analyses", "docs", "tests"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "CONTRIBUTING.md", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    if (ROOT / ".cache").is_dir():  # the Vega bundle, so builds in the copy stay fast
        shutil.copytree(ROOT / ".cache", dest / ".cache")
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built once, strictly, from the committed results."""
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir
