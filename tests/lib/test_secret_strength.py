"""Production refuses a weak secret key at start (issue: `YICHUANG_SECRET_KEY=x`
was accepted)."""

import os
import subprocess
import sys

STRONG = "Zq8rT2vLm5Xc9Pw1Ns4Hd7Kf3Jg6Yb0a"
DATA = "Dk3Lp9Rs2Tv8Wx1Yz5Ab7Cd4Ef6Gh0Ij"


def _start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    return subprocess.run(
        [sys.executable, "-c", "import yichuang.settings as s; print(len(s.SECRET_KEY))"],
        env={**clean, "YICHUANG_PRODUCTION": "1", "YICHUANG_ALLOWED_HOSTS": "h.example", **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_a_short_or_repetitive_secret():
    for weak in ("x", "k" * 60, STRONG[:20]):
        run = _start(YICHUANG_SECRET_KEY=weak, YICHUANG_DATA_KEY=DATA)
        assert run.returncode != 0 and "YICHUANG_SECRET_KEY is too weak" in run.stderr
    run = _start(YICHUANG_SECRET_KEY=STRONG, YICHUANG_DATA_KEY="short")
    assert run.returncode != 0 and "YICHUANG_DATA_KEY is too weak" in run.stderr


def test_production_starts_with_strong_secrets():
    run = _start(YICHUANG_SECRET_KEY=STRONG, YICHUANG_DATA_KEY=DATA)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(len(STRONG))
