"""Finding photos: JPEG or PNG only, size-limited, re-encoded (what rode
along is dropped) and encrypted on disk; a bad photo refuses the whole visit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from yichuang.lib.errors import Unprocessable
from yichuang.supervision import photos
from yichuang.supervision.actions import FindingInput, inspection_record
from yichuang.supervision.models import Finding, Inspection, Problem
from yichuang.supervision.selectors import get_current_checklist


def image_bytes(fmt: str = "PNG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def test_it_reencodes_a_png_and_drops_what_rode_along():
    content, kind = photos.reencode(image_bytes() + b"<script>alert(1)</script>")
    assert kind == "image/png"
    assert b"<script>" not in content
    assert Image.open(io.BytesIO(content)).size == (40, 30)


def test_a_jpeg_stays_a_jpeg():
    content, kind = photos.reencode(image_bytes("JPEG"))
    assert kind == "image/jpeg" and Image.open(io.BytesIO(content)).format == "JPEG"


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.4 not an image", image_bytes("GIF"), image_bytes("BMP")],
    ids=["empty", "pdf", "gif", "bmp"],
)
def test_it_refuses_what_is_not_a_jpeg_or_png(content):
    with pytest.raises(Unprocessable) as err:
        photos.reencode(content)
    assert err.value.code == "supervision.bad_photo"


def test_it_refuses_a_photo_over_the_limit(monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(Unprocessable) as err:
        photos.reencode(image_bytes(size=(400, 400)) + b"\0" * 1000)
    assert err.value.code == "supervision.bad_photo"


def test_the_photo_is_stored_encrypted(county, sup, frozen, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "MEDIA_ROOT", tmp_path)
    inspection = inspection_record(
        centre=county.hall,
        kind="open",
        checklist=get_current_checklist("environment"),
        inspector=county.inspector,
        visited_at=frozen_now(),
        findings=[FindingInput(line="E8", result="fail", photo=image_bytes())],
    )
    finding = Finding.objects.get(inspection=inspection)
    assert finding.photo_type == "image/png" and finding.photo_path.startswith("supervision/")
    raw = (Path(tmp_path) / finding.photo_path).read_bytes()
    assert b"PNG" not in raw
    assert Image.open(io.BytesIO(photos.read(finding.photo_path))).size == (40, 30)


def test_a_bad_photo_refuses_the_whole_visit(county, sup, frozen):
    before = (Inspection.objects.count(), Problem.objects.count())
    with pytest.raises(Unprocessable) as err:
        inspection_record(
            centre=county.hall,
            kind="open",
            checklist=get_current_checklist("environment"),
            inspector=county.inspector,
            visited_at=frozen_now(),
            findings=[
                FindingInput(line="E7", result="fail"),
                FindingInput(line="E8", result="fail", photo=b"GIF89a..."),
            ],
        )
    assert err.value.code == "supervision.bad_photo"
    assert (Inspection.objects.count(), Problem.objects.count()) == before


def frozen_now():
    from django.utils import timezone

    return timezone.now()
