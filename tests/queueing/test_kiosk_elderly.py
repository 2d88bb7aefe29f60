"""The kiosk's elders' mode: big type, fewer choices, spoken prompts from the
offline fragments (the page carries their location, the slip the count)."""

from pathlib import Path

import pytest

from .test_pages import device_client

pytestmark = pytest.mark.django_db


def test_it_gives_the_elders_mode_its_voice_and_the_slip_its_count(hall, device_token, issue):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    html = client.get("/kiosk/county-hall?mode=elderly").content.decode()
    assert 'class="kiosk elderly"' in html and 'data-voice="/static/queueing/voice/' in html
    assert "身份证号" not in html  # fewer choices
    issue("general")
    slip = client.post("/kiosk/county-hall/issue", {"queue": "general"}).content.decode()
    assert 'data-ahead="1"' in slip


def test_it_generates_the_prompt_fragments_with_the_call_fragments():
    script = Path(__file__).resolve().parents[2] / "src/yichuang/queueing/voices.sh"
    text = script.read_text()
    for name in ("p_welcome", "p_taken", "p_ahead", "p_ren", "p_wait", "p_error"):
        assert f"say {name} " in text
    js = (script.parent.parent / "static/queueing/kiosk.js").read_text()
    assert "p_welcome" in js and "p_taken" in js
