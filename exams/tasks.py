from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction

from exams.models import Convocation


@shared_task
def render_convocation(convocation_id):
    """Make the convocation PDF and tell the candidate, once. Safe to run twice."""
    from documents import pdf
    from exams.after_registration import convocation_slots
    from portal.emails import email_send

    convocation = Convocation.objects.select_related("registration__candidate", "registration__session",
                                                     "registration__specialty").filter(pk=convocation_id).first()
    if convocation is None:
        return
    registration = convocation.registration
    if not convocation.file:
        content = pdf.convocation_pdf(registration, convocation_slots(registration))
        convocation.file.save(f"convocation-{registration.number}.pdf", ContentFile(content), save=False)
        Convocation.objects.filter(pk=convocation.pk, file="").update(file=convocation.file.name)
    with transaction.atomic():
        email_send(user=registration.candidate, template="convocation", context={"registration": registration},
                   event_key=f"convocation:{convocation.pk}")


@shared_task
def report_unopened_convocations():
    """Periodic (daily): ten days before a specialty's first épreuve, list unopened convocations to staff."""
    from exams.after_registration import unopened_convocations_report

    return unopened_convocations_report()
