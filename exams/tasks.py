"""The exams' Celery tasks: each fetches its row and calls one service (exams/convocations.py)."""

from celery import shared_task

from exams.models import Convocation


@shared_task
def render_convocation(convocation_id):
    """Make the convocation PDF and tell the candidate, once. Safe to run twice."""
    from exams.convocations import convocation_deliver

    convocation = Convocation.objects.select_related("registration__candidate", "registration__session",
                                                     "registration__specialty").filter(pk=convocation_id).first()
    if convocation is not None:
        convocation_deliver(convocation)


@shared_task
def report_unopened_convocations():
    """Periodic (daily): ten days before a specialty's first épreuve, list unopened convocations to staff."""
    from exams.convocations import unopened_convocations_report

    return unopened_convocations_report()


@shared_task
def notify_staff_of_situation_change(user_id):
    """Tell the DEC of the changes a candidate made after the lock (the notice, H)."""
    from exams.situation_changes import situation_changes_notify_staff

    return situation_changes_notify_staff(user_id=user_id)
