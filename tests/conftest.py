import gzip
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def run_cli(*args, cwd=ROOT, check=False):
    """Run `python -m analyses ARGS` in ``cwd``; returns the CompletedProcess."""
    result = subprocess.run([sys.executable, "-m", "analyses", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(result.stdout + result.stderr)
    return result


def requires(*externals):
    """For tests that need outside data or programs (Spec.external): skipped outside CI with the command that
    installs them; in CI they run, so a missing package fails there."""
    missing = [e for e in externals if not (shutil.which(e.path) if e.is_program else pathlib.Path(e.path).is_file())]
    packages = " ".join(sorted({e.debian for e in missing}))
    return pytest.mark.skipif(bool(missing) and not os.environ.get("CI"),
                              reason=f"needs Debian packages: apt-get install {packages}")


def write_idx(folder: pathlib.Path, images: np.ndarray, labels: np.ndarray) -> tuple[pathlib.Path, pathlib.Path]:
    """A gzipped IDX pair as Fashion-MNIST ships it: big-endian headers, then the uint8 bytes."""
    image_path, label_path = folder / "images-idx3-ubyte.gz", folder / "labels-idx1-ubyte.gz"
    header = np.array([0x803, *images.shape], dtype=">u4").tobytes()
    image_path.write_bytes(gzip.compress(header + images.astype(np.uint8).tobytes()))
    label_path.write_bytes(gzip.compress(np.array([0x801, len(labels)], dtype=">u4").tobytes()
                                         + labels.astype(np.uint8).tobytes()))
    return image_path, label_path


@pytest.fixture
def fashion_fixture(tmp_path):
    """Twelve 28×28 images whose pixels all equal 20 × their index, labelled index mod 10."""
    images = np.stack([np.full((28, 28), 20 * i, np.uint8) for i in range(12)])
    labels = np.arange(12) % 10
    return (images, labels), write_idx(tmp_path, images, labels)


@pytest.fixture
def fortunes_fixture(tmp_path):
    """A fortune file of five entries, as Debian writes them (entries end with a line holding '%')."""
    entries = ["A journey of a thousand miles begins with a single step, they say.",
               "Two lines\nin one entry, which the reader keeps together as written.",
               "The early bird gets the worm, but the second mouse gets the cheese.",
               "Short.",
               "Every entry here is long enough to be a sentence for the language model's set."]
    path = tmp_path / "fortunes"
    path.write_text("".join(f"{e}\n%\n" for e in entries))
    return entries, path


@pytest.fixture
def repo_copy(tmp_path):
    """A throwaway copy of the parts of the repository the runner and the site build use."""
    return copy_repo(tmp_path)


def copy_repo(tmp_path) -> pathlib.Path:
    dest = tmp_path / "repo"
    dest.mkdir()
    for name in ("analyses", "docs", "tests"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "CONTRIBUTING.md", "CITATION.cff", "pyproject.toml", "requirements"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, dest / name)
    if (ROOT / ".cache").is_dir():  # the Vega bundle, so builds in the copy stay fast (not training checkpoints)
        shutil.copytree(ROOT / ".cache", dest / ".cache", ignore=shutil.ignore_patterns("cross_modal_scaling", "learning_capacity"))
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built once, strictly, from the committed results."""
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir
