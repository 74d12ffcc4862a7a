"""Who may follow a job and who may retry it: by the unit whose data it reads or changes.

Who asked for it always sees it, and may retry it while they may still read its unit (the
task checks their rights again when it runs: a report export needs only the right to
read). Those who may read its unit see it too (a job of the whole country:
administrators); retrying another's job takes the right to change that unit's data.
"""

from ..accounts import permissions
from .models import Job


def can_see_job(user, job: Job) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return job.created_by_id == user.id or permissions.read_scope(user).covers(job.unit)


def can_retry_job(user, job: Job) -> bool:
    asked = job.created_by_id == user.id and permissions.read_scope(user).covers(job.unit)
    return asked or permissions.edit_scope(user).covers(job.unit)
