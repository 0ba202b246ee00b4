"""The workbook reader's OLE2 container (.xls), read with olefile as calamine reads it, crafted files included.

calamine trusts the container's chains and counts; olefile reads them otherwise in a few places, and
takes minutes or gigabytes over some crafted files. Each test writes a container by hand (or patches
one xlwt wrote) and checks that it is read as calamine reads it, or refused before calamine sees it,
in bounded time and memory. The guards whose failure would let calamine loop without end are tested
on the container alone (`workbook_stream`), so that a regression fails a test instead of the process.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
from pathlib import Path

import olefile
import pytest
from conftest import xls_bytes

from ictanalysis import workbook
from ictanalysis.workbook import WorkbookError, read_workbook
from ictanalysis.workbook.biff import check_biff
from ictanalysis.workbook.ole2 import workbook_stream

SECTOR = 512
END, FREE, FAT_SECTOR, NO_ENTRY = 0xFFFF_FFFE, 0xFFFF_FFFF, 0xFFFF_FFFD, 0xFFFF_FFFF
DAMAGED = "the file is damaged (its sector chains or sizes are impossible)"


def workbook_of(data: bytes) -> bytes:
    with olefile.OleFileIO(io.BytesIO(data)) as container:
        return container.openstream("Workbook").read()


def entry(name: str, kind: int = 2, *, start: int = END, size: int = 0, left: int = NO_ENTRY,
          right: int = NO_ENTRY, child: int = NO_ENTRY) -> bytes:  # fmt: skip
    """Return a directory entry's 128 bytes (MS-CFB 2.6.1); kind 2 is a stream, 5 the root."""
    raw = name.encode("utf-16-le")
    return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw) + 2, kind, 1, left, right, child) + bytes(36)
            + struct.pack("<III", start, size, 0))  # fmt: skip


def container(stream: bytes, entries: list[bytes]) -> bytes:
    """Return an OLE2 file: `stream` from sector 0 (whole sectors), then a directory of `entries`, then the FAT."""
    stream_sectors = -(-len(stream) // SECTOR)
    directory_sectors = -(-len(entries) * 128 // SECTOR)
    body = stream_sectors + directory_sectors
    fat_sectors = -(-body // (SECTOR // 4 - 1))
    assert fat_sectors <= 109, "the header lists 109 FAT sectors; more would need a DIFAT"
    fat = [*range(1, stream_sectors), END, *range(stream_sectors + 1, body), END, *[FAT_SECTOR] * fat_sectors]
    fat += [FREE] * (fat_sectors * SECTOR // 4 - len(fat))
    listed = [*range(body, body + fat_sectors), *[FREE] * (109 - fat_sectors)]
    header = header_of(fat_sectors, directory_start=stream_sectors, difat_start=END) + struct.pack("<109I", *listed)
    directory = b"".join(entries).ljust(directory_sectors * SECTOR, b"\0")
    return header + stream.ljust(stream_sectors * SECTOR, b"\0") + directory + struct.pack(f"<{len(fat)}I", *fat)


def header_of(fat_sectors: int, *, directory_start: int, difat_start: int, difat_sectors: int = 0) -> bytes:
    """Return an OLE2 header's first 76 bytes (MS-CFB 2.2): 512-byte sectors, no MiniFAT; the FAT's list follows."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, fat_sectors, directory_start, 0, 4096, END, 0, difat_start, difat_sectors)
    )


def patched(data: bytes, offset: int, value: int) -> bytes:
    """Return `data` with the 32-bit number at `offset` replaced."""
    copy = bytearray(data)
    struct.pack_into("<I", copy, offset, value)
    return bytes(copy)


def damaged() -> WorkbookError:
    return WorkbookError("cannot be read as a .xls workbook: " + DAMAGED)


def written(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "x.xls"
    path.write_bytes(data)
    return path


def test_the_test_container_reads_as_xlwt_wrote_it(tmp_path):
    stream = workbook_of(xls_bytes())
    data = container(stream, [entry("Root Entry", 5, child=1), entry("Workbook", start=0, size=len(stream))])
    (sheet,) = read_workbook(written(tmp_path, data))
    assert (sheet.name, sheet.rows) == ("TB", [["Địa bàn"]])


# --- the FAT, as calamine loads it -----------------------------------------------------------------


def test_a_fat_list_with_a_free_entry_before_the_fat_sector_is_read_on(tmp_path):
    """calamine skips the free entry and reads on; olefile's own loading would stop there, with an empty FAT."""
    data = patched(patched(xls_bytes(), 76, FREE), 80, 8)  # the header's list: [free, 8, free…]
    (sheet,) = read_workbook(written(tmp_path, data))
    assert sheet.rows == [["Địa bàn"]]


def test_a_difat_chain_the_header_does_not_count_is_followed_as_calamine_follows_it(tmp_path):
    """A DIFAT sector listing nothing, which the header points to while counting no DIFAT sector."""
    data = patched(xls_bytes() + b"\xff" * SECTOR, 68, 10)
    (sheet,) = read_workbook(written(tmp_path, data))
    assert sheet.rows == [["Địa bàn"]]


def test_a_difat_chain_that_loops_is_refused_before_calamine_follows_it():
    """calamine would follow it without end; olefile, which goes by the header's count (0), would not read it."""
    looping = b"\xff" * (SECTOR - 4) + struct.pack("<I", 10)  # sector 10 lists no FAT sector and names itself next
    with pytest.raises(WorkbookError, match=r"damaged \(its sector chains"):
        workbook_stream(patched(xls_bytes() + looping, 68, 10), damaged())


def test_a_fat_listing_one_sector_over_and_over_is_refused_in_a_moment(tmp_path):
    """20 MiB of zeros whose DIFAT lists sector 0 forty thousand times: olefile alone takes three minutes."""
    sectors = 20 * 2**20 // SECTOR - 1
    header = header_of(sectors, directory_start=0, difat_start=0, difat_sectors=-(-(sectors - 109) // 127))
    path = written(tmp_path, header.ljust(20 * 2**20, b"\0"))  # every list and DIFAT sector names sector 0
    started = time.perf_counter()
    with pytest.raises(WorkbookError, match=r"damaged \(its sector chains"):
        read_workbook(path)
    assert time.perf_counter() - started < 20


# --- the directory, as calamine reads it ------------------------------------------------------------


def test_a_directory_chain_that_loops_is_refused_before_calamine_follows_it():
    """calamine reads the directory to the end of its chain: here, the directory's sector names itself next."""
    fat_of_the_directory = (8 + 1) * SECTOR + 9 * 4  # in the FAT (sector 8), the entry of sector 9
    with pytest.raises(WorkbookError, match=r"damaged \(its sector chains"):
        workbook_stream(patched(xls_bytes(), fat_of_the_directory, 9), damaged())


def tree(count: int, workbook_size: int) -> list[bytes]:
    """Return a root and `count` streams in a balanced tree (entry i's children: 2i, 2i+1), the last the workbook."""

    def child(i: int) -> int:
        return i if i <= count else NO_ENTRY

    streams = [entry(f"s{i}", start=0, size=workbook_size, left=child(2 * i), right=child(2 * i + 1))
               for i in range(1, count)]  # fmt: skip
    return [entry("Root Entry", 5, child=1), *streams, entry("Workbook", start=0, size=workbook_size)]


def test_a_directory_of_fifty_thousand_entries_is_read_in_linear_time_and_bounded_memory(tmp_path):
    """olefile's tree of storages takes about 1 KB for each entry and, here, 50 seconds; calamine builds none."""
    stream = workbook_of(xls_bytes())
    path = written(tmp_path, container(stream, tree(50_000, len(stream))))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        (sheet,) = read_workbook(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sheet.rows == [["Địa bàn"]]
    assert time.perf_counter() - started < 20
    assert peak < 5 * path.stat().st_size, f"{peak} bytes for a file of {path.stat().st_size}"


def test_a_directory_tree_deeper_than_pythons_stack_is_read(tmp_path):
    """Entry i's left child is entry i+1: olefile's tree would recurse 5.000 levels deep."""
    stream = workbook_of(xls_bytes())
    streams = [entry(f"s{i}", start=0, size=len(stream), left=i + 1) for i in range(1, 5_000)]
    path = written(tmp_path, container(stream, [entry("Root Entry", 5, child=1), *streams,
                                                entry("Workbook", start=0, size=len(stream))]))  # fmt: skip
    (sheet,) = read_workbook(path)
    assert sheet.rows == [["Địa bàn"]]


def test_a_directory_cut_short_of_one_entry_leaves_calamine_to_say_so(tmp_path):
    path = written(tmp_path, xls_bytes()[:-500])  # 12 bytes of the directory's sector are left
    with pytest.raises(WorkbookError, match=r"damaged or of another kind \(reader said"):
        read_workbook(path)


def test_the_first_stream_named_workbook_in_the_directory_is_checked_and_read(tmp_path):
    """calamine takes entries by their place in the directory, not by olefile's tree: the one the tree reaches
    (entry 2, with a DIMENSIONS record of two billion rows) is not the one calamine reads (entry 1)."""
    stream = workbook_of(xls_bytes())
    record = stream.index(b"\x00\x02\x0e\x00")  # DIMENSIONS: first row, end row (32 bits each), columns
    huge = stream[: record + 8] + (2_000_000_000).to_bytes(4, "little") + stream[record + 12 :]
    data = container(stream + huge, [entry("Root Entry", 5, child=2), entry("Workbook", start=0, size=len(stream)),
                                     entry("Workbook", start=8, size=len(huge))])  # fmt: skip
    (sheet,) = read_workbook(written(tmp_path, data))
    assert sheet.rows == [["Địa bàn"]]
    data = container(huge + stream, [entry("Root Entry", 5, child=2), entry("Workbook", start=0, size=len(huge)),
                                     entry("Workbook", start=8, size=len(stream))])  # fmt: skip
    with pytest.raises(WorkbookError, match=r"values reach row 2\.000\.000\.000"):
        check_biff(workbook_stream(data, damaged()), damaged())  # calamine, reading entry 1, would abort


# --- the public surface --------------------------------------------------------------------------------


def test_the_limits_are_read_from_their_module_and_exported_for_reading():
    assert workbook.MAX_SHEET_ROWS == workbook.limits.MAX_SHEET_ROWS == 100_000
    assert {"read_workbook", "Sheet", "WorkbookError", "SPREADSHEET_SUFFIXES", "cell_name", "column_letter",
            "MAX_FILE_BYTES"} <= set(workbook.__all__)  # fmt: skip
