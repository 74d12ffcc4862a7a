"""The minutes' background work: finalizing (laying out a long PDF takes seconds) and a
year's export for the archives. Imported by :mod:`.views`, hence by every process that
builds the app, web server and job worker alike."""

from flask import url_for
from flask_babel import gettext as _

from ..extensions import db
from ..jobs.operations import save_job_file, task
from ..units.models import Unit
from .archive import ARCHIVE_EXPORT_TASK, archive_zip, check_export, export_file_name
from .models import Minutes
from .operations import FINALIZE_TASK, finalize_minutes


@task(FINALIZE_TASK)
def finalize(job, progress) -> dict:
    """File the draft as the job finds it, with the session's issues as they are then.

    The revision, the minutes made final and the job marked done commit together (the
    runner commits the task's transaction with the job's end): a worker killed at any
    point leaves the minutes a draft with no revision, and the job runs again.
    """
    minutes = db.session.get(Minutes, job.params["minutes_id"])
    revision = finalize_minutes(minutes, by=job.created_by, progress=progress)
    return {"revision": revision.number, "document_number": revision.document_number,
            "url": url_for("minutes.edit_minutes", session_id=minutes.session_id)}


@task(ARCHIVE_EXPORT_TASK)
def archive_export(job, progress) -> dict:
    """The year's filed PDFs and index.csv in one .zip, for the secretariat to download and
    hand to the archives (``flask minutes export`` writes the same files to a folder)."""
    year, unit_id = job.params["year"], job.params["unit_id"]
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    # Asked for with the rights the user had then: checked again with today's.
    check_export(job.created_by, unit)

    def counted(revision_ids: list[int]):
        for done, revision_id in enumerate(revision_ids):
            progress(done, len(revision_ids), _("Đang đóng gói các biên bản đã hoàn thiện…"))
            yield revision_id
        progress(len(revision_ids), len(revision_ids), _("Đang lưu tệp nén…"))

    data = archive_zip(year, unit, progress=counted)
    return save_job_file(job, export_file_name(year, unit), data, "application/zip")
