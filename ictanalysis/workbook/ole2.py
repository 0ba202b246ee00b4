"""Open an .xls file's OLE2 container with olefile, refusing one whose counts, chains or sizes would ruin calamine.

calamine reads the container itself (MS-CFB) and trusts what it finds: it
reserves memory by the header's counts, follows the DIFAT and directory chains
until they end and each stream's chain until its declared length, and indexes
its tables by the sector numbers it meets. A few damaged bytes (a bad copy
that inserts some) make it ask for gigabytes and abort the process; a chain
that loops keeps it reading.

olefile reads the container here (its header, sectors, directory stream and
workbook stream), within bounds of its own, and raises for the damage it
cannot read past. Where it reads otherwise than calamine, or would take
minutes or gigabytes over a crafted file, :class:`_Container` reads as
calamine does: the FAT, and the directory without olefile's tree. What
calamine trusts and olefile does not check is checked here:

- the header's counts, before olefile reads a sector;
- that every chain calamine follows (the directory's, the mini stream's, the
  MiniFAT's and every stream's) ends within the file's sectors: olefile reads
  a stream as far as its declared size and never looks whether its chain goes
  on, or loops;
- every stream's declared size, against the file's.
"""

from __future__ import annotations

import array
import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import olefile
from olefile.olefile import OleDirectoryEntry, OleStream

from ictanalysis.workbook.errors import WorkbookError

__all__ = ["workbook_stream"]

# Marks in sector chains (MS-CFB): from _RESERVED_SECTORS up, a number is no sector's, as calamine reads them.
_END_OF_CHAIN, _DIFAT_SECTOR, _RESERVED_SECTORS = 0xFFFF_FFFE, 0xFFFF_FFFC, 0xFFFF_FFFA
_MOST_FAT_BYTES = 64 * 2**20  # a FAT this large maps 8 GiB of 512-byte sectors; a 100 MiB file needs 800 KiB
_WORKBOOK_STREAMS = ("Workbook", "Book")  # what calamine reads from an .xls, in this order
_MINI_SECTOR_BYTES, _MINI_STREAM_CUTOFF = 64, 4096  # calamine reads a stream under 4096 bytes from the mini stream
_ENTRY = struct.Struct(OleDirectoryEntry.STRUCT_DIRENTRY)  # a directory entry's 128 bytes, as olefile reads them


def workbook_stream(data: bytes, damaged: WorkbookError) -> bytes | None:
    """Return the workbook stream calamine will read from the container `data`, every count it trusts checked.

    Args:
        data: the whole .xls file.
        damaged: the error to raise, which says the file is damaged.

    Returns:
        The stream, ``b""`` when the container holds none, or None when its
        header has a sector size calamine refuses with a message of its own.

    Raises:
        WorkbookError: `damaged`, when a count, a sector chain or a size is impossible.
    """
    header = _Header.read(data)
    if header is None:
        return None
    header.check(len(data), damaged)
    try:
        with _Container(io.BytesIO(data)) as container:
            return _Directory(container, len(data), damaged).workbook_stream()
    except OSError:  # olefile's OleFileError: damage it cannot read past
        raise damaged from None


@dataclass(frozen=True)
class _Header:
    """The counts of an OLE2 header that calamine trusts before it reads any sector."""

    sector_size: int
    directory_sectors: int  # 0 in a container of 512-byte sectors
    fat_sectors: int
    minifat_sectors: int

    @classmethod
    def read(cls, data: bytes) -> _Header | None:
        """Return the header's counts, or None for a sector size calamine refuses itself."""
        if len(data) < 512:
            return None
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            return None
        directory_sectors, fat_sectors = struct.unpack_from("<II", data, 40)
        (minifat_sectors,) = struct.unpack_from("<I", data, 64)
        return cls(1 << shift, directory_sectors, fat_sectors, minifat_sectors)

    def check(self, size: int, damaged: WorkbookError) -> None:
        """Refuse counts beyond a file of `size` bytes: calamine reserves memory by them."""
        sectors = -(-(size - self.sector_size) // self.sector_size)
        if self.fat_sectors > sectors or (self.directory_sectors + self.minifat_sectors) * self.sector_size > size:
            raise damaged


class _Container(olefile.OleFileIO):
    """olefile's reader of an OLE2 container, made to load the FAT and the directory as calamine does.

    Opened at olefile's default defect level: it raises for damage it cannot
    read past and only notes the rest, which :class:`_Directory` checks.
    """

    def loadfat(self, header: bytes) -> None:
        """Load the FAT as calamine does: the sectors the header lists, then those the DIFAT chain lists.

        olefile reads as many DIFAT sectors as the header counts, refuses a
        count that disagrees with the FAT's, and reads none when it is 0;
        calamine follows the chain from its start to its end, whatever the
        count. It also stops at a list's first free entry, where calamine skips
        every entry that is no sector number and reads on; and it copies the
        whole table for each sector it adds (three minutes for a crafted list
        of forty thousand). The checks here must see the FAT calamine will use.
        """
        self.fat = self.sect2array(b"")
        self._add_fat_sectors(self.sect2array(header[76:512]))
        number = self.first_difat_sector
        for _ in range(self.nb_sect + 1):
            if number >= _RESERVED_SECTORS:
                break
            difat = self._numbers(number)
            self._add_fat_sectors(difat[:-1])
            number = difat[-1]
        else:
            self._raise_defect(olefile.DEFECT_FATAL, "the DIFAT chain loops")
        self.fat = self.fat[: self.nb_sect]  # a number beyond names no sector of the file

    def _add_fat_sectors(self, numbers: array.array) -> None:
        """Add to the FAT each sector `numbers` lists, refusing a FAT larger than any file could need.

        A crafted DIFAT can list one sector over and over: calamine keeps a
        copy of each, and would ask for gigabytes.
        """
        for number in numbers:
            if number < _DIFAT_SECTOR:
                if len(self.fat) * 4 >= _MOST_FAT_BYTES:
                    self._raise_defect(olefile.DEFECT_FATAL, "a FAT larger than any file could need")
                self.fat.extend(self._numbers(number))

    def _numbers(self, number: int) -> array.array:
        """Return the numbers sector `number` holds; the file's last sector, when cut short, ends in free ones."""
        if number >= self.nb_sect:
            self._raise_defect(olefile.DEFECT_FATAL, "FAT or DIFAT sector beyond the end of the file")
        self.fp.seek(self.sectorsize * (number + 1))
        return self.sect2array(self.fp.read(self.sectorsize).ljust(self.sectorsize, b"\xff"))

    def loaddirectory(self, sect: int) -> None:
        """Read the directory stream, leaving its entries to :class:`_Directory`, without olefile's tree.

        calamine searches the entries in their order and builds no tree of
        storages. olefile's tree holds an object of about 1 KB for each entry
        (a gigabyte for a crafted directory of 100 MiB), searches a list of
        streams once for each, and recurses once for each of its levels.
        """
        self.directory_fp = self._open(sect, force_FAT=True)  # the chain to its end, at most the file's sectors


@dataclass(frozen=True)
class _Entry:
    """One directory entry, as calamine reads it."""

    name: str  # up to the first NUL, whatever length the entry declares
    kind: int
    start: int
    size: int


def _entries(directory: bytes, sector_size: int) -> Iterator[_Entry]:
    """Yield the directory's entries in their order, the one calamine searches, one at a time."""
    whole = memoryview(directory)[: len(directory) // _ENTRY.size * _ENTRY.size]
    for name, _, kind, *_, start, size_low, size_high in _ENTRY.iter_unpack(whole):
        size = size_low if sector_size == 512 else size_low + (size_high << 32)  # as olefile and calamine read it
        yield _Entry(name.decode("utf-16-le", errors="replace").split("\0")[0], kind, start, size)


class _Directory:
    """An opened container's directory as calamine reads it, with every chain and size calamine trusts checked."""

    def __init__(self, container: _Container, size: int, damaged: WorkbookError) -> None:
        self.container, self.size, self.damaged = container, size, damaged
        self.sectors = _Chains(container.fat, container.nb_sect, damaged)

    def workbook_stream(self) -> bytes:
        """Return the first stream named Workbook, else Book, having checked every stream's chain and size."""
        container = self.container
        self.sectors.check(container.first_dir_sector)
        entries = _entries(container.directory_fp.getvalue(), container.sectorsize)
        root = next(entries, None)
        if root is None:
            return b""  # calamine says itself that the directory is empty
        self._check_size(root)
        self.sectors.check(root.start)  # the mini stream's
        minifat = self._minifat()
        mini_sectors = _Chains(minifat, -(-root.size // _MINI_SECTOR_BYTES), self.damaged)
        found: dict[str, _Entry] = {}
        for entry in entries:
            if entry.kind == olefile.STGTY_STREAM or entry.name in _WORKBOOK_STREAMS:
                self._check_size(entry)
                (mini_sectors if entry.size < _MINI_STREAM_CUTOFF else self.sectors).check(entry.start)
                if entry.name in _WORKBOOK_STREAMS:
                    found.setdefault(entry.name, entry)
        stream = next((found[name] for name in _WORKBOOK_STREAMS if name in found), None)
        return b"" if stream is None else self._read(stream, root, minifat)

    def _minifat(self) -> array.array:
        """Return the MiniFAT: the numbers of every sector of its chain, whatever count the header gives."""
        container = self.container
        self.sectors.check(container.first_mini_fat_sector)
        table = container._open(container.first_mini_fat_sector, force_FAT=True).read()  # the chain, to its end
        return container.sect2array(table[: len(table) // 4 * 4])

    def _check_size(self, entry: _Entry) -> None:
        """Refuse a stream whose declared size is beyond the file's: calamine reserves that much for it."""
        if entry.size > self.size:
            raise self.damaged

    def _read(self, entry: _Entry, root: _Entry, minifat: array.array) -> bytes:
        """Return the bytes of `entry`'s stream, read by olefile along the chains checked here.

        olefile's public way to a stream, openstream, finds it through the tree
        of storages, which calamine never reads (a damaged directory can make it
        lead to another entry than the one calamine takes by its place).
        """
        container = self.container
        if entry.size >= _MINI_STREAM_CUTOFF:
            return container._open(entry.start, entry.size, force_FAT=True).read()
        mini_stream = container._open(root.start, root.size, force_FAT=True)
        return OleStream(mini_stream, entry.start, entry.size, 0, _MINI_SECTOR_BYTES, minifat, mini_stream.size,
                         container).read()  # fmt: skip


class _Chains:
    """The sector chains of one table (the FAT or the MiniFAT), each sector's checked once however many share it."""

    def __init__(self, table: array.array, limit: int, damaged: WorkbookError) -> None:
        self.table, self.limit, self.damaged = table, limit, damaged
        self.lengths = {_END_OF_CHAIN: 0}  # sector → length of the chain from it, for chains already checked

    def check(self, start: int) -> None:
        """Refuse the chain from `start` unless it ends within `limit` sectors, each a sector of the table.

        A chain that loops is refused when it grows past `limit`.
        """
        chain, number = [], start
        while number not in self.lengths:
            if number >= self.limit or number >= len(self.table) or len(chain) >= self.limit:
                raise self.damaged
            chain.append(number)
            number = self.table[number]
        length = self.lengths[number]
        for number in reversed(chain):
            length += 1
            if length > self.limit:
                raise self.damaged
            self.lengths[number] = length
