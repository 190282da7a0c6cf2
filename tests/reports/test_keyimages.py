"""Annotation geometry drawn on key images."""
from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset

from telehealth.reports.keyimages import (
    COLOUR,
    Shape,
    ShapeKind,
    draw_annotations,
    shapes_from_measurements,
    to_png,
    window_frame,
)
from tests.reports import samples


def _is_annotation(pixel: tuple[int, int, int]) -> bool:
    return all(abs(int(a) - b) < 40 for a, b in zip(pixel, COLOUR, strict=True))


def _blank(size: int = 100) -> Image.Image:
    return Image.new("L", (size, size), 40)


def test_window_frame_applies_the_window(images: list[Dataset]) -> None:
    narrow = np.asarray(window_frame(images[0], None, 40, 80))
    wide = np.asarray(window_frame(images[0], None, 40, 4000))
    assert narrow.shape == (128, 128) and narrow.dtype == np.uint8
    assert (narrow == 0).mean() > (wide == 0).mean()  # a narrow window clips more pixels
    assert wide.std() < narrow.std()


def test_length_line_is_drawn_along_its_points() -> None:
    out = draw_annotations(_blank(), [Shape(ShapeKind.LENGTH, ((10.0, 50.0), (90.0, 50.0)))],
                           min_width=100)
    assert _is_annotation(out.getpixel((50, 50)))
    assert not _is_annotation(out.getpixel((50, 20)))


def test_coordinates_scale_with_the_rendered_size() -> None:
    # Coordinates refer to a 100-column image; the frame was rendered at 400 px.
    out = draw_annotations(_blank(400), [Shape(ShapeKind.LENGTH, ((0.0, 25.0), (100.0, 25.0)))],
                           source_size=(100, 100))
    assert out.size == (512, 512)
    assert _is_annotation(out.getpixel((256, 128)))


def test_ellipse_follows_its_axes() -> None:
    ellipse = ((20.0, 50.0), (80.0, 50.0), (50.0, 40.0), (50.0, 60.0))
    out = draw_annotations(_blank(), [Shape(ShapeKind.ELLIPSE, ellipse)], min_width=100)
    assert _is_annotation(out.getpixel((20, 50))) and _is_annotation(out.getpixel((50, 40)))
    assert not _is_annotation(out.getpixel((50, 50)))  # outline only


def test_arrow_has_its_head_at_the_first_point() -> None:
    out = draw_annotations(_blank(), [Shape(ShapeKind.ARROW, ((20.0, 20.0), (80.0, 80.0)))],
                           min_width=100)
    head = np.asarray(out)[18:32, 18:32]
    tail = np.asarray(out)[68:82, 68:82]
    count = lambda a: sum(_is_annotation(tuple(p)) for p in a.reshape(-1, 3))  # noqa: E731
    assert count(head) > count(tail)


def test_labels_and_every_kind_draw_without_error(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    shapes = shapes_from_measurements(report.measurements, [m.annotation_id for m in report.measurements])
    assert [s.kind for s in shapes] == [ShapeKind.LENGTH, ShapeKind.ELLIPSE, ShapeKind.ANGLE, ShapeKind.PROBE]
    assert shapes[1].label == "113.1 mm², -612.5 HU, 48.25 HU"
    shapes += [Shape(ShapeKind.TEXT, ((5.0, 120.0),), "R"),
               Shape(ShapeKind.RECTANGLE, ((80.0, 10.0), (120.0, 40.0)), "box"),
               Shape(ShapeKind.CIRCLE, ((64.0, 64.0), (74.0, 64.0))),
               Shape(ShapeKind.ANGLE, ((0.0, 0.0), (10.0, 10.0), (20.0, 0.0), (30.0, 10.0)), "Cobb")]
    png = to_png(draw_annotations(window_frame(images[0]), shapes))
    image = Image.open(BytesIO(png))
    assert image.format == "PNG" and image.size == (512, 512)


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="angle needs at least 3"):
        Shape(ShapeKind.ANGLE, ((1.0, 1.0), (2.0, 2.0)))
    with pytest.raises(ValueError, match="finite"):
        Shape(ShapeKind.PROBE, ((float("inf"), 1.0),))


def test_labels_of_neighbouring_shapes_do_not_overlap() -> None:
    shapes = [Shape(ShapeKind.PROBE, ((50.0, 50.0),), "AAAAAA"), Shape(ShapeKind.PROBE, ((50.5, 50.5),), "BBBBBB")]
    one = np.asarray(draw_annotations(_blank(), shapes[:1], min_width=400)).astype(int)
    two = np.asarray(draw_annotations(_blank(), shapes, min_width=400)).astype(int)
    label = lambda a: sum(_is_annotation(tuple(p)) for p in a.reshape(-1, 3))  # noqa: E731
    assert label(two) > 1.7 * label(one)  # the second label is drawn beside the first, not on it
