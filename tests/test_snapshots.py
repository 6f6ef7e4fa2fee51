"""Golden snapshots: a rules change must come with its reviewed snapshot diff."""
import pytest

from tariffs.snapshots import DEFAULT_DIR, file_name, load_matrix, render

PRODUCTS = load_matrix(DEFAULT_DIR)


@pytest.mark.parametrize("product", PRODUCTS, ids=file_name)
def test_snapshot_unchanged(rules, product):
    path = DEFAULT_DIR / file_name(product)
    assert path.is_file(), f"missing snapshot {path.name}: run python3 -m tariffs.snapshots --update"
    expected = path.read_text()
    actual = render(rules, product)
    assert actual == expected, f"{path.name} differs: review the rules change, then python3 -m tariffs.snapshots --update"
