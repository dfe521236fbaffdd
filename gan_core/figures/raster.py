"""Point clouds drawn into a small PNG, shown as a Plotly layout image.

A browser redraws one image 5 times a second far more cheaply than a thousand SVG
markers. Drawing it takes a few milliseconds (mostly the PNG), so the training process
draws each frame's cloud (``cloud``) and sends it with the snapshot: a server with a
class of pages open does not pay for every page's picture.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageColor

from gan_core.figures import palette

SIZE = 400
DOT = 1.8
"""Radius in pixels of a generated point on a laptop (about the figure's own pixels): a
3.6-pixel dot keeps a 2,500-point ring's modes apart."""
PRESENT_DOT = 3.5
"""In presentation mode: a 7-pixel dot, about 1.5 cm on a 3-metre projection of 1,280
pixels, so that a mode of the ring (std 0.02, a few pixels wide) reads from the back
row as a blob, not a speck."""
COLOURED_GANS = ("cgan", "infogan", "selfcond")
"""GAN types whose generated points are coloured by class or code."""

TRANSPARENT, REAL, SINGLE, FIRST_CLASS = 0, 1, 2, 3
"""Palette indices: the picture is a palette PNG (one byte a pixel, a quarter of RGBA's
work to encode), with these entries first and then one per class colour."""


@lru_cache(maxsize=64)
def rgba(colour: str, alpha: float = 1.0) -> tuple[int, int, int, int]:
    r, g, b = ImageColor.getrgb(colour)[:3]
    return r, g, b, int(round(alpha * 255))


@lru_cache(maxsize=1)
def _palette() -> tuple[bytes, bytes]:
    """The PNG's palette (RGB triples) and its alphas (the tRNS chunk)."""
    colours = [(0, 0, 0, 0), rgba(palette.REAL, 0.7), rgba(palette.SINGLE)]
    colours += [rgba(c) for c in palette.CLASS_COLOURS]
    return bytes(v for c in colours for v in c[:3]), bytes(c[3] for c in colours)


def class_index(codes: np.ndarray) -> np.ndarray:
    """The palette index of each class or code's colour (palette.class_colour's cycle)."""
    return (FIRST_CLASS + codes.astype(np.int64) % len(palette.CLASS_COLOURS)).astype(np.uint8)


@lru_cache(maxsize=8)
def _disc(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    keep = dx**2 + dy**2 <= radius**2 + 0.5
    return np.stack([dx[keep], dy[keep]], axis=1)


def to_pixels(points: np.ndarray, extent: float, size: int = SIZE) -> np.ndarray:
    """Plane coordinates in [-extent, extent]² → integer pixel (column, row)."""
    scale = (size - 1) / (2 * extent)
    px = np.rint((points[:, 0] + extent) * scale)
    py = np.rint((extent - points[:, 1]) * scale)
    return np.stack([px, py], axis=1).astype(np.int64)


def splat(img: np.ndarray, points: np.ndarray, index, extent: float, radius: float) -> None:
    """Stamp a small disc per point; ``index`` is one palette index or one per point."""
    if len(points) == 0:
        return
    size = img.shape[0]
    finite = np.isfinite(points).all(axis=1)
    pix = to_pixels(points[finite], extent, size)
    index = np.asarray(index, dtype=np.uint8)
    per_point = index.ndim == 1
    if per_point:
        index = index[finite]
    for dx, dy in _disc(radius):
        x, y = pix[:, 0] + dx, pix[:, 1] + dy
        ok = (x >= 0) & (x < size) & (y >= 0) & (y < size)
        img[y[ok], x[ok]] = index[ok] if per_point else index


def canvas(size: int = SIZE) -> np.ndarray:
    """A transparent picture of palette indices."""
    return np.zeros((size, size), dtype=np.uint8)


def data_uri(img: np.ndarray) -> str:
    colours, alphas = _palette()
    picture = Image.fromarray(img, "P")
    picture.putpalette(colours)
    buf = io.BytesIO()
    picture.save(buf, format="PNG", compress_level=1, transparency=alphas)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def real_layer(real: np.ndarray, extent: float) -> np.ndarray:
    """The real points, grey: the cloud's background (the same for a whole run)."""
    img = canvas()
    splat(img, real, REAL, float(extent), 1.2)
    return img


def cloud(
    info, fake: np.ndarray, codes: np.ndarray, base: np.ndarray | None = None, dot: float = DOT
) -> str:
    """A run's live cloud as a PNG data URI: real points grey, generated points on top,
    coloured by class or code for cGAN and InfoGAN. ``info``: the run's RunInfo;
    ``base``: its ``real_layer``, if already drawn; ``dot``: the points' radius."""
    extent = float(info.extent)
    img = real_layer(info.real, extent) if base is None else base.copy()
    coloured = info.config.gan in COLOURED_GANS
    splat(img, fake, class_index(codes) if coloured else SINGLE, extent, dot)
    return data_uri(img)


# --- digits: sheets of small images ------------------------------------------------------

PIXEL = 2
"""Picture pixels per image pixel: the browser scales the sheet up to its figure (sharp:
``image-rendering: pixelated``, ui/style.py). Few pixels keep the PNG cheap to encode
and for the browser to decode beside the training: at 4 it would have four times as
many."""
GAP = 2
SHEET_GAP = 8
"""Between the generated sheet (left) and the real one (right)."""


def _tile(images: np.ndarray, shape: tuple[int, int], rows: int, cols: int) -> np.ndarray:
    """Images (n, h·w) in [-1, 1] as one grey sheet, rows × cols, dark ink on white."""
    h, w = shape
    cell_h, cell_w = h * PIXEL + GAP, w * PIXEL + GAP
    out = np.full((rows * cell_h - GAP, cols * cell_w - GAP), 255, dtype=np.uint8)
    ink = np.nan_to_num(np.clip(images, -1, 1), nan=-1.0)
    grey = np.rint(255 * (1 - (ink + 1) / 2)).astype(np.uint8).reshape(-1, h, w)
    big = grey.repeat(PIXEL, 1).repeat(PIXEL, 2)
    for i, im in enumerate(big[: rows * cols]):
        r, c = divmod(i, cols)
        out[r * cell_h : r * cell_h + h * PIXEL, c * cell_w : c * cell_w + w * PIXEL] = im
    return out


def real_sheet(info, rows: int, cols: int) -> np.ndarray:
    """Real images, one row per class (the digit 0, 1, …): the reference beside G's."""
    labels = np.asarray(info.real_labels)
    picks = []
    for r in range(rows):
        idx = np.flatnonzero(labels == r % max(int(labels.max()) + 1, 1))[:cols]
        idx = np.resize(idx, cols) if len(idx) else np.zeros(cols, dtype=np.int64)
        picks.append(idx)
    return _tile(info.real[np.concatenate(picks)], info.image, rows, cols)


def sheet_size(info, rows: int, cols: int, beside_real: bool = True) -> tuple[int, int]:
    """(width, height) in pixels of a sheet (G's images, and the real ones beside)."""
    h, w = info.image
    sheet_w = cols * (w * PIXEL + GAP) - GAP
    width = 2 * sheet_w + SHEET_GAP if beside_real else sheet_w
    return width, rows * (h * PIXEL + GAP) - GAP


def sheet_pixels(info, fake: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Generated images (left) beside real ones (right), grey levels: a GIF's frame."""
    made = _tile(fake, info.image, rows, cols)
    gap = np.full((made.shape[0], SHEET_GAP), 255, dtype=np.uint8)
    return np.hstack([made, gap, real_sheet(info, rows, cols)])


def made_sheet(info, fake: np.ndarray, rows: int, cols: int) -> str:
    """G's images alone as a PNG data URI: the digits' live picture. The real sheet
    beside it is a second image that stays (``real_sheet_uri``), so a frame's PNG is half
    the pixels for the training process to encode and for the browser to decode."""
    return gray_uri(_tile(fake, info.image, rows, cols))


def real_sheet_uri(info, rows: int, cols: int) -> str:
    """``real_sheet`` as a PNG data URI: the picture beside G's, the same all run."""
    return gray_uri(real_sheet(info, rows, cols))


def gray_uri(pixels: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels, "L").save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
