"""Key images for the PDF: a windowed frame with its annotations drawn, as PNG.

Geometry is in image pixel coordinates with the DICOM SCOORD convention (PS3.3
C.18.6.1.1): (column, row), (0, 0) the top-left corner of the top-left pixel.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset

from telehealth.reports.document import GraphicType, Measurement, MeasurementKind

Point = tuple[float, float]
COLOUR = (255, 214, 10)
OUTLINE = (0, 0, 0)
_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


class ShapeKind(enum.StrEnum):
    """Annotation kinds the live viewer produces."""

    LENGTH = "length"
    POLYLINE = "polyline"
    ANGLE = "angle"
    ELLIPSE = "ellipse"
    CIRCLE = "circle"
    RECTANGLE = "rectangle"
    ARROW = "arrow"
    TEXT = "text"
    PROBE = "probe"


_MIN_POINTS = {
    ShapeKind.LENGTH: 2, ShapeKind.POLYLINE: 2, ShapeKind.ANGLE: 3, ShapeKind.ELLIPSE: 4,
    ShapeKind.CIRCLE: 2, ShapeKind.RECTANGLE: 2, ShapeKind.ARROW: 2, ShapeKind.TEXT: 1,
    ShapeKind.PROBE: 1,
}


@dataclass(frozen=True)
class Shape:
    """One annotation to draw: kind, SCOORD points and an optional label (e.g. ``12.4 mm``)."""

    kind: ShapeKind
    points: tuple[Point, ...]
    label: str = ""

    def __post_init__(self) -> None:
        need = _MIN_POINTS[ShapeKind(self.kind)]
        if len(self.points) < need:
            raise ValueError(f"{self.kind} needs at least {need} point(s), got {len(self.points)}")
        if not all(len(p) == 2 and all(math.isfinite(c) for c in p) for p in self.points):
            raise ValueError(f"{self.kind} points must be finite (column, row) pairs")


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def window_frame(
    ds: Dataset, frame: int | None = None, center: float | None = None, width: float | None = None
) -> Image.Image:
    """Grayscale 8-bit rendering of one frame: modality LUT, then a linear VOI window (PS3.3 C.11.2)."""
    pixels = ds.pixel_array
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[(frame or 1) - 1]
    if ds.get("SamplesPerPixel", 1) != 1:
        return Image.fromarray(pixels.astype(np.uint8)).convert("RGB")
    data = pixels.astype(np.float64) * float(ds.get("RescaleSlope", 1) or 1)
    data += float(ds.get("RescaleIntercept", 0) or 0)
    if center is None or width is None:
        low, high = float(data.min()), float(data.max())
        center, width = (low + high) / 2, max(high - low, 1.0)
    low = center - 0.5 - (width - 1) / 2
    scaled = np.clip((data - low) / max(width - 1, 1.0), 0.0, 1.0) * 255.0
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        scaled = 255.0 - scaled
    return Image.fromarray(scaled.astype(np.uint8), mode="L")


def _ellipse_outline(points: Sequence[Point]) -> list[Point]:
    """Polygon of an SCOORD ELLIPSE: major axis endpoints, then minor axis endpoints."""
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = points[:4]
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    a = math.hypot(x2 - x1, y2 - y1) / 2
    b = math.hypot(x4 - x3, y4 - y3) / 2
    theta = math.atan2(y2 - y1, x2 - x1)
    out = []
    for i in range(73):
        t = 2 * math.pi * i / 72
        ex, ey = a * math.cos(t), b * math.sin(t)
        out.append((cx + ex * math.cos(theta) - ey * math.sin(theta),
                    cy + ex * math.sin(theta) + ey * math.cos(theta)))
    return out


def _arrow_head(tip: Point, tail: Point, size: float) -> list[Point]:
    angle = math.atan2(tail[1] - tip[1], tail[0] - tip[0])
    return [tip] + [
        (tip[0] + size * math.cos(angle + s * 0.45), tip[1] + size * math.sin(angle + s * 0.45))
        for s in (-1, 1)
    ]


class _Painter:
    """Draws shapes on an upscaled RGB image with outlined strokes for contrast."""

    def __init__(self, image: Image.Image, scale: float) -> None:
        self.image, self.scale = image, scale
        self.draw = ImageDraw.Draw(image)
        self.width = max(2, round(image.width / 300))
        self.font = _font(max(12, round(image.width / 36)))
        self.placed: list[tuple[float, float, float, float]] = []

    def map(self, pts: Sequence[Point]) -> list[Point]:
        return [(x * self.scale, y * self.scale) for x, y in pts]

    def line(self, pts: Sequence[Point], closed: bool = False) -> None:
        seq = list(pts) + ([pts[0]] if closed else [])
        self.draw.line(seq, fill=OUTLINE, width=self.width + 2, joint="curve")
        self.draw.line(seq, fill=COLOUR, width=self.width, joint="curve")

    def polygon(self, pts: Sequence[Point]) -> None:
        self.draw.polygon(list(pts), fill=COLOUR, outline=OUTLINE)

    def cross(self, p: Point) -> None:
        r = self.width * 3
        self.line([(p[0] - r, p[1]), (p[0] + r, p[1])])
        self.line([(p[0], p[1] - r), (p[0], p[1] + r)])

    def label(self, anchor: Point, text: str) -> None:
        if not text:
            return
        box = self.draw.textbbox((0, 0), text, font=self.font, stroke_width=2)
        w, h = box[2] - box[0], box[3] - box[1]
        x = min(max(anchor[0] + 6, 2), self.image.width - w - 2)
        y = min(max(anchor[1] - h - 6, 2), self.image.height - h - 2)
        # Labels of neighbouring shapes must not cover each other: step down until free.
        for _ in range(20):
            if not any(x < bx + bw and bx < x + w and y < by + bh and by < y + h for bx, by, bw, bh in self.placed):
                break
            y = y + h + 4 if y + 2 * h + 6 < self.image.height else max(2, y - h - 4)
        self.placed.append((x, y, w, h))
        self.draw.text((x, y), text, font=self.font, fill=COLOUR, stroke_width=2, stroke_fill=OUTLINE)


def _draw(p: _Painter, shape: Shape) -> Point:
    """Draw the shape; returns where its label goes (labels are drawn last, above every line)."""
    pts = p.map(shape.points)
    kind = ShapeKind(shape.kind)
    anchor = pts[-1]
    if kind in (ShapeKind.LENGTH, ShapeKind.POLYLINE):
        p.line(pts)
        anchor = max(pts, key=lambda q: q[0])
    elif kind is ShapeKind.ANGLE:
        if len(pts) >= 4:
            p.line(pts[:2])
            p.line(pts[2:4])
        else:
            p.line(pts[:3])
        anchor = pts[1]
    elif kind is ShapeKind.ELLIPSE:
        outline = _ellipse_outline(pts)
        p.line(outline)
        anchor = max(outline, key=lambda q: q[0])
    elif kind is ShapeKind.CIRCLE:
        (cx, cy), (ex, ey) = pts[:2]
        r = math.hypot(ex - cx, ey - cy)
        outline = _ellipse_outline([(cx - r, cy), (cx + r, cy), (cx, cy - r), (cx, cy + r)])
        p.line(outline)
        anchor = (cx + r, cy - r)
    elif kind is ShapeKind.RECTANGLE:
        corners = pts if len(pts) > 2 else [
            pts[0], (pts[1][0], pts[0][1]), pts[1], (pts[0][0], pts[1][1])]
        p.line(corners, closed=True)
        anchor = max(corners, key=lambda q: (q[0], -q[1]))
    elif kind is ShapeKind.ARROW:
        # The head is at the first point, as the viewer's arrow tool draws it.
        tip, tail = pts[0], pts[1]
        p.line([tip, tail])
        p.polygon(_arrow_head(tip, tail, p.width * 6))
        anchor = tail
    elif kind is ShapeKind.PROBE:
        p.cross(pts[0])
    return anchor


def draw_annotations(
    frame: Image.Image | bytes,
    shapes: Sequence[Shape],
    *,
    source_size: tuple[int, int] | None = None,
    min_width: int = 512,
) -> Image.Image:
    """The frame as RGB, upscaled to at least ``min_width`` pixels, with every shape drawn.

    ``source_size`` is the (columns, rows) of the DICOM image the coordinates refer to,
    when ``frame`` was rendered at another size.
    """
    image = Image.open(BytesIO(frame)) if isinstance(frame, bytes) else frame
    image = image.convert("RGB")
    cols = source_size[0] if source_size else image.width
    if image.width < min_width:
        factor = min_width / image.width
        image = image.resize((min_width, round(image.height * factor)), Image.Resampling.LANCZOS)
    painter = _Painter(image, image.width / cols)
    anchors: list[Point] = []
    for shape in shapes:
        anchors.append(_draw(painter, shape))
    for shape, anchor in zip(shapes, anchors, strict=True):
        painter.label(anchor, shape.label)
    return image


def to_jpeg(image: Image.Image, quality: int = 92) -> bytes:
    """JPEG bytes without chroma subsampling (thin coloured lines stay sharp); embedded as is in PDFs."""
    buffer = BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


def to_png(image: Image.Image) -> bytes:
    """PNG bytes of an image (fast compression: these go straight into a PDF)."""
    buffer = BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def shapes_from_measurements(
    measurements: Sequence[Measurement], annotation_ids: Sequence[str]
) -> list[Shape]:
    """Shapes of the measured annotations among ``annotation_ids``, labelled with their values."""
    wanted = set(annotation_ids)
    groups: dict[str, list[Measurement]] = {}
    for m in measurements:
        if m.annotation_id in wanted:
            groups.setdefault(m.annotation_id, []).append(m)
    shapes = []
    for group in groups.values():
        first = group[0]
        label = ", ".join(m.display_value for m in group)
        shapes.append(Shape(_shape_kind(first), first.points, label))
    return shapes


def _shape_kind(m: Measurement) -> ShapeKind:
    if m.graphic_type is GraphicType.POINT:
        return ShapeKind.PROBE
    if m.graphic_type is GraphicType.ELLIPSE:
        return ShapeKind.ELLIPSE
    if m.graphic_type is GraphicType.CIRCLE:
        return ShapeKind.CIRCLE
    if m.kind is MeasurementKind.ANGLE:
        return ShapeKind.ANGLE
    return ShapeKind.LENGTH if len(m.points) == 2 else ShapeKind.POLYLINE
