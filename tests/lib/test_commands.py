import subprocess
import sys
from io import StringIO

from django.core.management import call_command

from yichuang.lib.management.commands.worker import discover_tasks


def test_it_maps_hyphenated_commands_to_django_commands():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from yichuang.cli import main; "
            "sys.argv=['yichuang','seed-demo','--help']; main()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "--always-open" in out.stdout


def test_it_runs_every_worker_task_once(county):
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue().startswith(f"worker: {len(discover_tasks())} tasks")
