"""What an XLSX workbook may expand to, checked before it is parsed.

openpyxl (and pandas through it) loads a workbook's whole shared-strings table into memory, so a small
zip "bomb" (a few MB that inflate to millions of shared strings) would take gigabytes. This reads only
the zip directory (the members' declared sizes) and streams the shared-strings part counting its
strings in constant memory, stopping at the first string over the bound. zipfile stops reading a member
at its declared size, so a directory that understates a member cannot get past these bounds either (the
read then fails its CRC and the file is refused as unreadable).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tariffs.errors import InputError

# How a shared string starts: <si> (or with attributes, or self-closing), with or without a namespace
# prefix (<x:si>). Counted with bytes.count, which allocates nothing per match; text that happens to hold
# one of these only makes the count higher (stricter), never lower.
_SI_STARTS = (b"<si>", b"<si ", b"<si/", b":si>", b":si ", b":si/")


def _unreadable(field: str, exc: Exception, allowed: str) -> InputError:
    return InputError(field, f"not a readable XLSX workbook ({type(exc).__name__})", allowed)


def count_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo, stop_after: int) -> int:
    """The <si> elements of a shared-strings part, counted on the raw bytes in 1 MB chunks (the last three
    bytes of a chunk are carried over, so a start split across chunks is counted once); stops as soon as
    the count passes `stop_after`. Raises zipfile/OS errors of a corrupt member."""
    count, carry = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = carry + chunk
            count += sum(data.count(start) for start in _SI_STARTS)
            if count > stop_after:
                return count
            carry = data[-3:]
    return count


def check_xlsx_bounds(source: bytes | str | Path, *, field: str, max_uncompressed: int, max_shared_strings: int,
                      max_members: int = 256, too_large: type[InputError] = InputError,
                      unreadable_allowed: str = "an XLSX workbook") -> None:
    """Refuse (InputError, or `too_large` for a bound) a workbook of more than `max_members` parts, that
    expands to more than `max_uncompressed` bytes, or holds more than `max_shared_strings` shared strings."""
    allowed = (f"an XLSX workbook that expands to at most {max_uncompressed // (1024 * 1024)} MB, "
               f"with at most {max_shared_strings:,} shared strings")
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _unreadable(field, exc, unreadable_allowed) from None
    with archive:
        if len(members) > max_members:
            raise too_large(field, f"the workbook has {len(members)} parts", allowed)
        expanded = sum(m.file_size for m in members)
        if expanded > max_uncompressed:
            raise too_large(field, f"the workbook expands to {expanded:,} bytes", allowed)
        for member in members:
            if member.filename.lower().endswith("sharedstrings.xml"):
                try:
                    count = count_shared_strings(archive, member, max_shared_strings)
                except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
                    raise _unreadable(field, exc, unreadable_allowed) from None
                if count > max_shared_strings:
                    raise too_large(field, f"more than {max_shared_strings:,} shared strings", allowed)
