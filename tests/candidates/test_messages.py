import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidates.models import Message, MessageStatus
from candidates.outbox import email_send
from candidates.tasks import deliver_message, requeue_pending_messages
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_mes_messages_lists_newest_first_with_unread_marked(client, candidate):
    MessageFactory(recipient=candidate, subject="Premier", created_at=timezone.now() - timezone.timedelta(days=1))
    MessageFactory(recipient=candidate, subject="Second", read_at=timezone.now())
    client.force_login(candidate)
    page = client.get(reverse("candidates:inbox")).content.decode()
    assert page.index("Second") < page.index("Premier")
    assert "non lu" in page.split("Premier")[0].rsplit("<tr", 1)[1]


def test_opening_a_message_marks_it_read_and_it_can_be_marked_unread(client, candidate):
    message = MessageFactory(recipient=candidate)
    client.force_login(candidate)
    client.get(reverse("candidates:message_detail", args=[message.pk]))
    message.refresh_from_db()
    assert message.is_read
    client.post(reverse("candidates:message_mark_unread", args=[message.pk]))
    message.refresh_from_db()
    assert not message.is_read


def test_another_candidates_message_is_a_404(client, candidate, other_candidate):
    message = MessageFactory(recipient=candidate)
    client.force_login(other_candidate)
    assert client.get(reverse("candidates:message_detail", args=[message.pk])).status_code == 404
    assert client.post(reverse("candidates:message_mark_unread", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_an_email_is_recorded_and_sent_in_french_with_text_and_html(candidate, run_on_commit):
    with run_on_commit():
        email_send(user=candidate, template="password_reset", context={"link": "https://x/l/"}, event_key="e1")
    sent = mail.outbox[0]
    assert sent.subject == "Choisissez un nouveau mot de passe"
    assert "Bonjour Camille" in sent.body
    assert sent.alternatives[0][1] == "text/html"
    assert Message.objects.get(event_key="e1").status == MessageStatus.SENT


def test_one_event_never_makes_two_emails(candidate, run_on_commit):
    with run_on_commit():
        email_send(user=candidate, template="password_reset", context={"link": "x"}, event_key="e1")
        email_send(user=candidate, template="password_reset", context={"link": "x"}, event_key="e1")
    assert len(mail.outbox) == 1
    assert Message.objects.count() == 1


def test_no_email_leaves_before_the_transaction_commits(candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        email_send(user=candidate, template="password_reset", context={"link": "x"}, event_key="e1")
    assert mail.outbox == []
    for callback in callbacks:  # the commit
        callback()
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_sends_nothing(candidate, run_on_commit):
    with run_on_commit():
        try:
            with transaction.atomic():
                email_send(user=candidate, template="password_reset", context={"link": "x"}, event_key="e1")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_delivering_twice_sends_once(candidate):
    message = MessageFactory(recipient=candidate)
    deliver_message.delay(message.pk)
    deliver_message.delay(message.pk)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_then_sent(candidate, monkeypatch):
    message = MessageFactory(recipient=candidate)
    calls = {"n": 0}
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def flaky_send(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SMTP indisponible")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    deliver_message.delay(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_after_five_failures_the_message_is_marked_failed(candidate, monkeypatch):
    message = MessageFactory(recipient=candidate)
    from django.core.mail import EmailMultiAlternatives

    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda self, *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
    deliver_message.delay(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == Message.MAX_ATTEMPTS
    assert "down" in message.last_error


def test_pending_messages_whose_task_was_lost_are_queued_again(candidate):
    MessageFactory(recipient=candidate, subject="Ancien", created_at=timezone.now() - timezone.timedelta(minutes=6))
    MessageFactory(recipient=candidate, subject="Récent")
    assert requeue_pending_messages.delay().get() == 1
    assert [m.subject for m in mail.outbox] == ["Ancien"]


def test_an_email_subject_is_plain_text_never_html_escaped():
    """Subjects are headers, not HTML: « Pièce d'identité » must not arrive as « Pièce d&#x27;identité »."""
    from pathlib import Path

    from django.template.loader import render_to_string

    from tests.factories import RegistrationFactory

    registration = RegistrationFactory()
    context = {"user": registration.candidate, "registration": registration, "piece": type("P", (), {
        "piece_kind": type("K", (), {"name": "Pièce d'identité <recto & verso>"})()})(), "file_name": "a.pdf", "days": 2,
        "missing": [], "form_done": True}
    from django.conf import settings

    folders = sorted((Path(settings.BASE_DIR) / "templates" / "emails").glob("*/subject.txt"))
    assert len(folders) >= 14
    for subject in folders:
        text = render_to_string(f"emails/{subject.parent.name}/subject.txt", context)
        assert "&#x27;" not in text and "&amp;" not in text and "&lt;" not in text, subject
    assert "Pièce d'identité <recto & verso>" in render_to_string("emails/piece_infected/subject.txt", context)


def test_the_header_count_of_unread_messages_follows_every_change(client, candidate):
    """The count is cached per candidate; a new message, a read and an unread each change it at once."""
    import html

    def header_badge():
        page = html.unescape(client.get(reverse("candidates:account")).content.decode())
        nav = page.split('id="fr-navigation"')[1].split("</nav>")[0]
        return nav.split("Mes messages")[1].split("</a>")[0]

    client.force_login(candidate)
    assert "non lu" not in header_badge()
    first = MessageFactory(recipient=candidate, subject="Premier")
    assert "1 non lu" in header_badge()
    MessageFactory(recipient=candidate, subject="Second")
    assert "2 non lus" in header_badge()
    client.get(reverse("candidates:message_detail", args=[first.pk]))
    assert "1 non lu" in header_badge()
    client.post(reverse("candidates:message_mark_unread", args=[first.pk]))
    assert "2 non lus" in header_badge()


def test_a_page_does_not_count_the_unread_messages_twice(client, candidate):
    from candidates.inbox import unread_count

    unread_count(candidate)
    client.force_login(candidate)
    client.get(reverse("candidates:account"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("candidates:account"))
    assert not [q for q in queries if 'FROM "candidates_message"' in q["sql"]]
