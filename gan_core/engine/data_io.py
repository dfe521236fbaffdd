"""Reading the user's own points from CSV (``x,y[,label]``) with messages meant for them."""

from __future__ import annotations

import csv
import io

import numpy as np

from gan_core.engine.targets import CUSTOM_MAX_POINTS, DataError, check_custom

MAX_CSV_BYTES = 5 * 1024 * 1024


def read_points_csv(data: bytes | str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``x,y[,label]`` rows (a header row is optional); raise DataError if bad."""
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise DataError(f"file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError("file is not UTF-8 text (expected a CSV of x,y[,label])") from None
    try:
        rows = [r for r in csv.reader(io.StringIO(data)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DataError(f"not a readable CSV: {exc}") from None
    if not rows:
        raise DataError("file is empty (expected rows of x,y[,label])")
    if not _is_number(rows[0][0]):
        header = [c.strip().lower() for c in rows[0]]
        if header[:2] != ["x", "y"]:
            raise DataError(f"header must start with x,y; got {','.join(rows[0])[:60]!r}")
        rows = rows[1:]
    if len(rows) > CUSTOM_MAX_POINTS:
        raise DataError(f"too many rows: {len(rows)} (at most {CUSTOM_MAX_POINTS})")
    widths = {len(r) for r in rows}
    if not widths or widths - {2, 3}:
        raise DataError("every row needs 2 or 3 columns: x,y[,label]")
    if len(widths) > 1:
        raise DataError("rows mix 2 and 3 columns: give a label on every row or on none")
    values = np.empty((len(rows), widths.pop()))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if not _is_number(cell):
                shown = cell.strip()[:20]
                raise DataError(f"row {i + 1}, column {j + 1}: {shown!r} is not a number")
            values[i, j] = float(cell)
    labels = values[:, 2] if values.shape[1] == 3 else None
    return check_custom(values[:, :2], labels)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
