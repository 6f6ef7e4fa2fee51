"""The same book priced by pandas (quote_frame) and on a Dask LocalCluster of two worker processes gives the
same cents in every column; `tariffs batch` through the cluster writes the same file as without it."""
import itertools

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import tariffs
from tariffs.batch import quote_dask, quote_frame
from tariffs.batch_dask import run_batch_dask
from tariffs.batch_stream import run_batch

KNOWN_AT = "2026-11-21"


def book() -> pd.DataFrame:
    """Lines from real codes, origins and dates; some entries of several lines, one bad row."""
    codes = [("7408.11.60.00", "copper_content"), ("7601.10.30.00", ""), ("7208.51.00.30", ""),
             ("8471.30.01.00", ""), ("9401.61.40.11", "")]
    origins = ["CN", "TW", "CA", "DE", "VN", "MX", "JP"]
    dates = ["2019-06-03", "2025-04-10", "2025-12-01", "2026-03-15"]
    rows = []
    for n, ((hts, metal), origin, day) in enumerate(itertools.islice(
            zip(itertools.cycle(codes), itertools.cycle(origins), itertools.cycle(dates)), 48)):
        value = f"{(n * 7919) % 90000 + 3000}.{n % 100:02d}"
        entry = f"E{n // 3}" if n % 4 else ""  # runs of up to three lines share an entry
        rows.append({"entry": entry, "entry_date": day if not entry else dates[(n // 3) % 4], "hts": hts,
                     "origin": origin, "customs_value": value, "copper_content": value if metal else "",
                     "mode": "ocean"})
    rows[10]["hts"] = "12"  # a bad row fails its entry
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


def partitions_by_entry(frame: pd.DataFrame, count: int):
    """Cut the frame into about ``count`` partitions, never inside an entry."""
    cuts, size = [0], len(frame) // count
    for i in range(1, len(frame)):
        if i - cuts[-1] >= size and (frame["entry"].iloc[i] == "" or frame["entry"].iloc[i] != frame["entry"].iloc[i - 1]):
            cuts.append(i)
    cuts.append(len(frame))
    return dd.concat([dd.from_pandas(frame.iloc[a:b], npartitions=1) for a, b in zip(cuts, cuts[1:]) if b > a])


def test_quote_dask_equals_quote_frame(cluster):
    frame = book()
    expected = quote_frame(frame, KNOWN_AT)
    with Client(cluster):
        ddf = partitions_by_entry(frame, 4)
        assert ddf.npartitions >= 3
        got = quote_dask(ddf, known_at=KNOWN_AT).compute()
    assert (expected["status"] == "ok").sum() >= 40 and (expected["status"] == "error").any()
    for column in expected.columns:
        if column.startswith("duty_"):
            assert list(got[column]) == list(expected[column].replace("", "0.00").where(expected["status"] == "ok", "")), column
        else:
            assert list(got[column]) == list(expected[column]), column
    # Columns absent from this book's charges are present (and zero) on every priced row.
    assert set(got.loc[got["status"] == "ok", "duty_section_201"]) == {"0.00"}


def test_cli_runner_on_the_cluster_writes_the_same_file(cluster, tmp_path):
    frame = book()
    frame.to_csv(tmp_path / "book.csv", index=False)
    rules = tariffs.load_rules()
    local = run_batch(str(tmp_path / "book.csv"), str(tmp_path / "local.csv"), rules=rules, known_at=KNOWN_AT,
                      chunk_size=7)
    remote = run_batch_dask(str(tmp_path / "book.csv"), str(tmp_path / "dask.csv"), rules=rules, known_at=KNOWN_AT,
                            chunk_size=7, address=cluster.scheduler_address)
    assert (local.rows, local.priced, local.errors) == (remote.rows, remote.priced, remote.errors) == (48, local.priced, local.errors)
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()
