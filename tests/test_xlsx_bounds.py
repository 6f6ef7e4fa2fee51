"""XLSX entry files are bounded before they are parsed (tariffs.xlsx_bounds): a small zip "bomb" of shared
strings is refused from its zip directory and a streamed count, in little memory and time, by
`tariffs audit import` and the /workbench upload (the batch upload has its own, smaller bounds)."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from tariffs.errors import InputError
from tariffs.workbench import fileformat

HAND = Path(__file__).resolve().parent / "data" / "workbench" / "entries_hand.csv"
SST_REL = (b'<Relationship Id="rIdSharedStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
           b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def entry_workbook(shared_strings: int = 0) -> bytes:
    """The hand entry file as a real workbook (openpyxl), with a shared-strings part of `shared_strings`
    strings added as Excel declares one (relationship and content type): 17 bytes each uncompressed,
    a few hundred KB compressed per 10^6."""
    book = Workbook()
    for row in HAND.read_text(encoding="utf-8").splitlines():
        book.active.append(row.split(","))
    buf = io.BytesIO()
    book.save(buf)
    if not shared_strings:
        return buf.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SST_REL)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SST_TYPE)
            target.writestr(info, data)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main">')
            chunk = b"<si><t>x</t></si>" * 100_000
            for _ in range(shared_strings // 100_000):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def many_strings() -> bytes:
    # 1,100,000 strings = 18.7 MB uncompressed: under the size bound (128 MB), over the string bound (10^6).
    return entry_workbook(fileformat.XLSX_MAX_SHARED_STRINGS + 100_000)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    # 10,000,000 strings = 170 MB uncompressed, about 0.5 MB on disk: over the size bound.
    return entry_workbook(10_000_000)


def test_a_real_entry_workbook_is_read(tmp_path):
    path = tmp_path / "entries.xlsx"
    path.write_bytes(entry_workbook())
    frame = fileformat.read_table(path)
    assert len(frame) == len(HAND.read_text(encoding="utf-8").splitlines()) - 1


@pytest.mark.parametrize("which, needle", [("bomb", "the workbook expands to 170,"),
                                           ("many_strings", "more than 1,000,000 shared strings")])
def test_an_xlsx_bomb_is_refused_before_it_is_parsed(tmp_path, request, which, needle):
    path = tmp_path / "entries.xlsx"
    path.write_bytes(request.getfixturevalue(which))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as refused:
            fileformat.read_table(path)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.field == "FILE" and needle in refused.value.message
    assert "shared strings" in refused.value.allowed
    assert elapsed < 10 and peak < 64 * 1024 * 1024  # pandas/openpyxl would hold every string: gigabytes


def test_audit_import_of_a_bomb_exits_2_with_one_line(tmp_path, bomb):
    from tariffs.cli import main

    path = tmp_path / "entries.xlsx"
    path.write_bytes(bomb)
    out = CliRunner().invoke(main, ["audit", "import", str(path), "--database", f"sqlite:///{tmp_path / 'a.db'}"])
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and "FILE: the workbook expands to" in lines[0]


def test_workbench_upload_of_a_bomb_is_a_message_beside_the_file(tmp_path, bomb):
    import re

    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.db'}"})
    client = app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/workbench").get_data(as_text=True)).group(1)
    response = client.post("/workbench", data={"csrf_token": csrf, "file": (io.BytesIO(bomb), "entries.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="e-file"' in html and "the workbook expands to" in html
