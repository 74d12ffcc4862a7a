"""A process of the application that printed a document ends cleanly.

The font configuration WeasyPrint lays documents out with is made once per process
(``core.document.fonts``) and holds a Pango font map, freed by a finalizer that calls into
Pango. Left to the interpreter's teardown, it was freed after WeasyPrint's modules had been
cleared and Pango unloaded whenever some module still alive then (a session listener's)
reached it: the process crashed on its way out (exit 139, SIGSEGV in g_object_unref) after
a CLI export, a worker's last request or a test run had succeeded. Whether it crashes
depends on the order the interpreter tears modules down in, so the test also checks what
decides it: no font configuration is left for that teardown.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_AND_EXIT = """
import atexit
import gc
import os
import sys


def nothing_left_for_the_teardown():
    # Registered first, so it runs last: after the application's own exit handlers.
    from weasyprint.text.fonts import FontConfiguration

    gc.collect()
    left = sum(isinstance(o, FontConfiguration) for o in gc.get_objects())
    if left:
        print(f"{left} font configuration(s) left to the interpreter's teardown",
              file=sys.stderr, flush=True)
        os._exit(3)


atexit.register(nothing_left_for_the_teardown)

from dialogue import create_app
from dialogue.core.document import lay_out

create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
assert lay_out("<p>Biên bản hội nghị đối thoại</p>").write_pdf().startswith(b"%PDF-")
"""


def test_a_process_that_printed_a_pdf_leaves_nothing_native_and_exits_with_status_0():
    result = subprocess.run(
        [sys.executable, "-c", PRINT_AND_EXIT], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "SECRET_KEY": "test"}, timeout=120, check=False)

    # 3: a font configuration was left to the teardown; -11: the teardown crashed on it.
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
