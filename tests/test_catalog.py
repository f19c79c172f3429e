import pytest

from analyses import catalog

GOOD = """
- id: laion2b_en
  value: 2.32e9
  unit: image-text pairs
  kind: measurement
  counts: English pairs in LAION-5B
  source: Schuhmann et al. 2022
  url: https://arxiv.org/abs/2210.08402
  locator: Abstract
  accessed: 2026-11-24
"""


def write(tmp_path, text, name="sample.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_committed_catalog_row_validates():
    rows = catalog.load()
    assert rows["laion2b_en"].value == 2.32e9
    assert all(r.url.startswith("https://") for r in rows.values())


def test_good_row_parses(tmp_path):
    row = catalog.load_file(write(tmp_path, GOOD))["laion2b_en"]
    assert row.value == 2.32e9 and row.range == (2.32e9, 2.32e9) and row.file == "sample"


@pytest.mark.parametrize("change, message", [
    (("  url: https://arxiv.org/abs/2210.08402\n", ""), "sample.yaml row 1 (id 'laion2b_en'): field 'url' is missing"),
    (("unit: image-text pairs", "unit: pictures"), "field 'unit' has unknown unit 'pictures'"),
    (("value: 2.32e9", "value: lots"), "field 'value' must be a number, got 'lots'"),
    (("url: https://", "url: http://"), "field 'url' must be an https:// address"),
    (("accessed: 2026-11-24", "accessed: last week"), "field 'accessed' must be an ISO date"),
    (("kind: measurement", "kind: vibe"), "field 'kind' must be one of"),
    (("  locator: Abstract\n", "  locator: Abstract\n  pages: 3\n"), "unknown field 'pages'"),
    (("value: 2.32e9", "value: 2.32e9\n  low: 3e9"), "field 'low' (3000000000.0) is above 'value'"),
])
def test_bad_row_fails_with_one_line_naming_file_row_and_field(tmp_path, change, message):
    with pytest.raises(catalog.CatalogError) as error:
        catalog.load_file(write(tmp_path, GOOD.replace(*change)))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_duplicate_ids_and_bad_yaml(tmp_path):
    with pytest.raises(catalog.CatalogError, match="row 2 \\(id 'laion2b_en'\\): duplicate id"):
        catalog.load_file(write(tmp_path, GOOD + GOOD))
    with pytest.raises(catalog.CatalogError, match="sample.yaml line 2: not valid YAML"):
        catalog.load_file(write(tmp_path, "- id: [unclosed\n  value: 1\n"))
    with pytest.raises(catalog.CatalogError, match="does not exist"):
        catalog.load("no_such_file", directory=tmp_path)
