"""The CSV reader (`casework.system.csvfile.read_rows`) vs a bare `csv.reader` on the same file.

    .venv/bin/python benchmarks/bench_csv_read.py                    # 100,000 rows, 5 rounds
    .venv/bin/python benchmarks/bench_csv_read.py --rows 20000 --rounds 9

Writes a holiday-style list (IIN;name;category;phone, Cyrillic and Kazakh names, UTF-8) with a
bad row in every 250 (a wrong IIN check digit, an extra column) to a temporary directory. The
bare side opens it as UTF-8 and counts csv.reader's rows: no detection, no validation, no error
handling. The reader's side also detects the encoding and delimiter, maps the header, validates
every row with a pydantic model (IIN check digit, phone) and checks duplicate keys. Rounds
alternate and swap order, so a busy machine slows both alike; the script prints every round, the
medians and ranges, and their ratio.

Memory is the point: the reader must stay bounded, not grow with the file. The script prints
tracemalloc's peak for each side at the full size and at a tenth of it (a bounded reader peaks
alike at both; reading the whole file first, for contrast, grows tenfold), and the peak RSS of a
fresh process while it reads the file, over its RSS after imports (Linux; elsewhere the
lifetime peak, imports included). The duplicate-key index is the one thing meant to grow with the
file (a key per good row), so the reader is measured with and without it.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casework.law.identity import IIN, OptionalPhone, iin_check_digit  # noqa: E402
from casework.system.csvfile import RowError, read_rows  # noqa: E402

NAMES = ("Иванов Иван Иванович", "Сәуле Қайратқызы Әбенова", "Ержан Ұланұлы Өмірзақов")
CATEGORIES = ("veteran", "disabled", "large_family")
ALIASES = {"iin": ("ИИН", "ЖСН"), "name": ("ФИО",), "category": ("Категория",)}


class Recipient(BaseModel):
    """A holiday-style row, checked with the project's own IIN and phone types."""

    iin: IIN
    name: str
    category: str
    phone: OptionalPhone = None


def valid_iins() -> Iterator[str]:
    """Distinct IINs with a correct check digit (women born in 1985), by month, day and serial."""
    for k in count():
        body = f"85{1 + k // 280_000:02d}{1 + k // 10_000 % 28:02d}4{k % 10_000:04d}"
        if (check := iin_check_digit(body)) is not None:
            yield body + str(check)


def write_list(path: Path, rows: int) -> None:
    """Rows with valid IINs; in every 250 a wrong check digit, an extra column and a duplicate."""
    iins = valid_iins()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("ИИН;ФИО;Категория;Телефон\r\n")
        row = ""
        for n in range(rows):
            if n % 250 == 150:  # the row before, again
                out.write(row)
                continue
            iin = next(iins)
            if n % 250 == 100:
                iin = iin[:11] + str((int(iin[11]) + 1) % 10)
            extra = ";лишнее" if n % 250 == 200 else ""
            name, category = NAMES[n % 3], CATEGORIES[n % 3]
            row = f"{iin};{name};{category};+7701{n:07d}{extra}\r\n"
            out.write(row)


def read_bare(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f, delimiter=";"))


def checked_rows(path: Path, *, keys: bool = True) -> Iterator[object]:
    return read_rows(
        path,
        Recipient,
        columns=("iin", "name", "category", "phone"),
        aliases=ALIASES,
        optional=("phone",),
        key=(lambda r: (r.iin, r.category)) if keys else None,
        multiline=False,
    )


def read_checked(path: Path) -> int:
    return sum(1 for _ in checked_rows(path))


def read_checked_no_keys(path: Path) -> int:
    return sum(1 for _ in checked_rows(path, keys=False))


def read_whole(path: Path) -> int:
    """For contrast only: the file read and parsed in one go, as holiday import does today."""
    text = path.read_bytes().decode("utf-8")
    return len(list(csv.reader(io.StringIO(text, newline=""), delimiter=";")))


SIDES: dict[str, Callable[[Path], int]] = {
    "bare": read_bare,
    "reader": read_checked,
    "reader_no_keys": read_checked_no_keys,
    "whole": read_whole,
}


def timed(side: Callable[[Path], int], path: Path) -> float:
    gc.collect()
    start = time.perf_counter()
    side(path)
    return time.perf_counter() - start


def traced_peak(side: Callable[[Path], int], path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        side(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def child_rss(side: str, path: Path) -> float:
    """How far a fresh process's RSS rises above its level after imports while reading `path`."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", side, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout) / 1024


def rss_rise(side: Callable[[Path], int], path: Path) -> int:
    """KiB. On Linux the peak (VmHWM) is reset after imports: their own peak would hide ours."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = proc_status("VmRSS")
    except OSError:  # elsewhere: the process's lifetime peak, imports included
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    side(path)
    try:
        return proc_status("VmHWM") - before
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before


def proc_status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(field)


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):6.3f} s  (range {min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per side (default 5)")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        side, path = args.child
        print(rss_rise(SIDES[side], Path(path)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        full, tenth = Path(tmp, "full.csv"), Path(tmp, "tenth.csv")
        write_list(full, args.rows)
        write_list(tenth, max(args.rows // 10, 1))
        size = full.stat().st_size
        print(
            f"{args.rows:,} rows: {size / 1e6:.1f} MB "
            f"(a tenth of it for the memory comparison: {tenth.stat().st_size / 1e6:.1f} MB)"
        )
        # One untimed pass each: warms up, and shows that the bad rows are found.
        errors = [item for item in checked_rows(full) if isinstance(item, RowError)]
        print(f"bare csv.reader: {read_bare(full):,} rows (header included)")
        good = read_checked(full) - len(errors)
        print(f"read_rows: {good:,} good rows, {len(errors):,} errors reported, e.g.")
        for error in [*errors[:3], *errors[-1:]]:  # the last one counts those beyond max_errors
            print(f"  {error}")

        times: dict[str, list[float]] = {"bare": [], "reader": []}
        for n in range(args.rounds):
            order = ("bare", "reader") if n % 2 == 0 else ("reader", "bare")
            for name in order:
                times[name].append(timed(SIDES[name], full))
            print(
                f"round {n + 1}: bare {times['bare'][-1]:.3f} s, "
                f"read_rows {times['reader'][-1]:.3f} s"
            )
        print(f"bare csv.reader  {spread(times['bare'])}")
        print(f"read_rows        {spread(times['reader'])}")
        ratio = statistics.median(times["reader"]) / statistics.median(times["bare"])
        per_row = statistics.median(times["reader"]) / args.rows * 1e6
        print(f"read_rows / bare: {ratio:.1f}x; read_rows {per_row:.1f} µs per row")

        memory = (
            ("bare", "bare csv.reader"),
            ("reader_no_keys", "read_rows, no key"),
            ("reader", "read_rows, duplicate keys"),
            ("whole", "whole file, then csv (contrast)"),
        )
        print("tracemalloc peak, full file / a tenth of it:")
        for name, label in memory:
            peaks = [traced_peak(SIDES[name], path) / 1e6 for path in (full, tenth)]
            print(f"  {label:32} {peaks[0]:7.2f} MB / {peaks[1]:6.2f} MB")
        print("peak RSS rise of a fresh process while it reads, full file / a tenth of it:")
        for name, label in memory:
            rises = [child_rss(name, path) for path in (full, tenth)]
            print(f"  {label:32} {rises[0]:7.1f} MB / {rises[1]:6.1f} MB")


if __name__ == "__main__":
    main()
