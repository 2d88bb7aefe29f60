"""A longer fuzzing run over the API (``make fuzz``): prints one JSON line.

schemathesis generates requests for every operation of /api/v1/openapi.json,
both fitting the description and not (positive and negative generation), and
sends them to the application in process as every demo persona and as an
anonymous client. An answer fails when it is a 500 or breaks the schema its
operation declares for its status. The line gives the operations, personas,
examples sent and failures; each distinct failure is described on stderr.

The demo county is seeded into a fresh SQLite database under a temporary
directory (``seed-demo --scale small --months 1``), or into
YICHUANG_DATABASE_URL when FUZZ_KEEP_DB_URL=1 (an empty PostgreSQL database,
e.g. ``postgres://postgres@127.0.0.1:5432/yichuang_fuzz_run``; created when
missing). FUZZ_EXAMPLES sets the examples per operation, mode and persona
(default 10); FUZZ_SEED the generation seed (runs are reproducible).
Exit status 1 when anything failed.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import time

from benchenv import django_start, kept_database_url  # bench/, the script's own folder

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 10))
SEED = int(os.environ.get("FUZZ_SEED", 2026))
PASSWORD = "Fuzz@2026pw"
PERSONAS = [
    None,
    "admin",
    "security",
    "auditor",
    "countyadmin",
    "director",
    "dept_rs",
    "clerk_county",
    "clerk_town",
    "inspector",
    "clerk_w01",
    "greeter",
]


def _seed() -> None:
    from django.core.management import call_command

    quiet = io.StringIO()  # stdout carries only the result line
    call_command("migrate", verbosity=0, interactive=False, stdout=quiet)
    call_command(
        "seed_demo",
        "--scale=small",
        "--months=1",
        f"--password={PASSWORD}",
        "--always-open",
        "--if-empty",
        verbosity=0,
        stdout=quiet,
    )


def _headers(username: str | None) -> dict[str, str]:
    from yichuang.accounts.actions import api_token_issue
    from yichuang.accounts.models import User

    if username is None:
        return {}
    user = User.objects.filter(username=username).first()
    if user is None:
        return {}
    return {"Authorization": f"Bearer {api_token_issue(user=user)}"}


class Tally:
    def __init__(self) -> None:
        self.examples = 0
        self.failures = 0
        self.distinct: dict[tuple[str, str], str] = {}

    def failed(self, label: str, persona: str | None, exc: BaseException) -> None:
        self.failures += 1
        titles = [getattr(e, "title", type(e).__name__) for e in getattr(exc, "exceptions", [exc])]
        key = (label, ", ".join(sorted(set(titles))))
        if key not in self.distinct:
            self.distinct[key] = f"[{persona or 'anonymous'}] {str(exc)[:3000]}"


def _fuzz(operation, mode, headers: dict[str, str], persona, tally: Tally) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    checks = [not_a_server_error, response_schema_conformance]

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        tally.examples += 1
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except Exception as exc:  # a failed check, or the app raising through
            tally.failed(operation.label, persona, exc)

    with contextlib.suppress(Unsatisfiable):  # nothing to break in this mode
        run()


def main() -> int:
    django_start("fuzz", database=kept_database_url("FUZZ_KEEP_DB_URL"))
    from django.db import connection

    # every 404 and 422 would be logged: only the API's own error log stays
    for name in ("django.request", "django.security.csrf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    _seed()

    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler
    from schemathesis.generation import GenerationMode

    from yichuang.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = Tally()
    started = time.monotonic()
    for persona in PERSONAS:
        for operation in operations:
            headers = _headers(persona)  # fresh: an operation may revoke the last one
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, headers, persona, tally)
    for (label, titles), detail in sorted(tally.distinct.items()):
        print(f"--- {label}: {titles}\n{detail}\n", file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "fuzz_api",
                "operations": len(operations),
                "personas": len(PERSONAS),
                "examples_per_operation": EXAMPLES,
                "examples": tally.examples,
                "failures": tally.failures,
                "distinct_failures": len(tally.distinct),
                "seconds": round(time.monotonic() - started, 1),
                "database": connection.vendor,
            }
        )
    )
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
