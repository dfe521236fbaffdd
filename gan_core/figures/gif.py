"""Animated GIF of a run: real points grey, generated points coloured by class or code
(digits: the sheet of generated images beside real ones).

Drawn with Pillow straight from the points: no browser or image server needed.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from gan_core.figures.palette import REAL, SINGLE, class_colour

SIZE = 360


def render_frame(
    real: np.ndarray,
    fake: np.ndarray,
    codes: np.ndarray | None,
    extent: float,
    caption: str = "",
    size: int = SIZE,
) -> Image.Image:
    """One frame: a square window [-extent, extent]² with both point clouds."""
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)

    def to_px(p):
        return (p + extent) / (2 * extent) * (size - 1) * np.array([1, -1]) + np.array(
            [0, size - 1]
        )

    for x, y in to_px(real):
        draw.point((x, y), fill=REAL)
    colours = [SINGLE] * len(fake) if codes is None else [class_colour(c) for c in codes]
    for (x, y), colour in zip(to_px(np.clip(fake, -extent, extent)), colours, strict=True):
        draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=colour)
    if caption:
        draw.text((6, 4), caption, fill="black", font=ImageFont.load_default())
    return img


def frame(info, fake: np.ndarray, codes: np.ndarray, caption: str) -> Image.Image:
    """One frame of a run (``info``: its RunInfo): its cloud, or its digits sheet."""
    if info.image is not None:
        from gan_core.engine.snapshot import GRID
        from gan_core.figures import raster

        sheet = Image.fromarray(raster.sheet_pixels(info, fake, GRID, GRID), "L")
        img = Image.new("RGB", (sheet.width, sheet.height + 18), "white")
        img.paste(sheet.convert("RGB"), (0, 18))
        ImageDraw.Draw(img).text((4, 3), caption, fill="black", font=ImageFont.load_default())
        return img
    coloured = info.config.gan != "gan"
    return render_frame(info.real, fake, codes if coloured else None, info.extent, caption)


def write_gif(frames: list[Image.Image], path_or_file, ms_per_frame: int = 120) -> None:
    """Save frames as a looping GIF; the last frame lingers so the result is readable."""
    if not frames:
        raise ValueError("no frames to write")
    durations = [ms_per_frame] * (len(frames) - 1) + [ms_per_frame * 10]
    frames[0].save(
        path_or_file,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
    )


def gif_bytes(frames: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    write_gif(frames, buf)
    return buf.getvalue()
