"""The application as ``flask --app dialogue`` builds it, with the test tasks registered:
what the tests' worker processes run (``flask --app tests.jobs.worker_app jobs work``)."""

from dialogue import create_app as create_dialogue_app

from . import tasks  # noqa: F401  (registers the test tasks)


def create_app():
    return create_dialogue_app()
