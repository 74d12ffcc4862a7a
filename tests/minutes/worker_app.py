"""The application as ``flask --app dialogue`` builds it, except that finalizing stops once
the revision is written, before anything commits, and waits there until the process is
killed: the worker tests/minutes/test_tasks.py kills in the middle of filing.

It says it got there by writing the file named by FILED_MARKER.
"""

import os
import time
from pathlib import Path

from dialogue import create_app as create_dialogue_app
from dialogue.extensions import db
from dialogue.minutes import operations

_file = operations._file


def _file_then_wait(*args, **kwargs):
    revision = _file(*args, **kwargs)
    db.session.flush()
    Path(os.environ["FILED_MARKER"]).write_text(str(revision.number))
    time.sleep(120)
    return revision


def create_app():
    operations._file = _file_then_wait
    return create_dialogue_app()
