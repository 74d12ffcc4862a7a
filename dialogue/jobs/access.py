"""Who may follow a job and who may retry it: by the unit whose data it reads or changes.

Who asked for it always sees it; so do those who may read its unit (a job of the whole
country: administrators). Retrying runs the work again, so it takes the right to change
that unit's data.
"""

from ..accounts import permissions
from .models import Job


def can_see_job(user, job: Job) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return job.created_by_id == user.id or permissions.read_scope(user).covers(job.unit)


def can_retry_job(user, job: Job) -> bool:
    return permissions.edit_scope(user).covers(job.unit)
