"""The reader's side: Lighthouse on the built site, served with compression on 127.0.0.1 (via `nox -s bench -- lighthouse`).

Lighthouse (npm, pinned in noxfile.py) drives Debian's Chromium with its default mobile settings: simulated slow
4G and a 4× CPU slowdown. The server gzips what it sends and lets the browser cache it, as GitHub Pages does, so
transfer sizes are those a reader pays. Prints the medians of several runs per page: the four category scores,
total blocking time, largest contentful paint and bytes transferred.

Usage: python benchmarks/lighthouse.py [--runs N] [--site DIR] [PAGE ...]   (pages as site paths: "", "evidence/census/")
"""

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".nox" / "npm" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".csv", ".txt", ".xml", ".ipynb")


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it, cacheable for ten minutes (GitHub Pages' max-age)."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not (path.is_file() and path.name.endswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", "")):
            return super().send_head()  # directory redirects, images, and clients that do not take gzip
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CompressingHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def audit(url: str, chromium: str) -> dict:
    """One Lighthouse run of one page: scores (0-100), TBT and LCP (ms), transfer (KiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
                        f"--only-categories={','.join(CATEGORIES)}",
                        "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                       check=True, env={**os.environ, "CHROME_PATH": chromium}, capture_output=True)
        data = json.loads(report.read_text())
    audits = data["audits"]
    return {**{c: round(100 * data["categories"][c]["score"]) for c in CATEGORIES},
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
            "transfer_kib": audits["total-byte-weight"]["numericValue"] / 1024,
            "failing": sorted(k for k, a in audits.items() if a.get("score") == 0 and a.get("scoreDisplayMode") == "binary")}


def pages_of(site: Path) -> list[str]:
    """Every page of the site, as a path under its root ("" is the home page)."""
    return sorted("" if p.parent == site else f"{p.parent.relative_to(site)}/" for p in site.rglob("index.html"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("pages", nargs="*", help="site paths; default every page")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or sys.exit("needs Debian's chromium")
    if not LIGHTHOUSE.exists():
        sys.exit(f"needs Lighthouse in {LIGHTHOUSE.parent.parent}: run through `nox -s bench -- lighthouse`")
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp())
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                       check=True, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    httpd, base = serve(site)
    pages = args.pages or pages_of(site)
    print(f"Lighthouse, mobile defaults, median of {args.runs} runs per page, {len(pages)} pages, served gzipped")
    print("| page | performance | accessibility | best practices | SEO | total blocking time | largest paint | "
          "transfer |\n|---|---|---|---|---|---|---|---|")
    failing = {}
    for page in pages:
        try:
            runs = [audit(base + page, chromium) for _ in range(args.runs)]
        except subprocess.CalledProcessError as error:   # one page that fails to load: say so, measure the rest
            print(f"| /{page} | Lighthouse failed: {(error.stderr or b'').decode().strip().splitlines()[-1:]} |",
                  flush=True)
            continue
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "failing"}
        failing[page or "/"] = sorted({f for r in runs for f in r["failing"]})
        print(f"| /{page} | {median['performance']:.0f} | {median['accessibility']:.0f} | "
              f"{median['best-practices']:.0f} | {median['seo']:.0f} | {median['tbt_ms']:,.0f} ms | "
              f"{median['lcp_ms'] / 1000:.1f} s | {median['transfer_kib']:,.0f} KiB |", flush=True)
    httpd.shutdown()
    for page, audits in failing.items():
        if audits:
            print(f"{page}: failing audits: {', '.join(audits)}")


if __name__ == "__main__":
    main()
