import pytest
from django.urls import reverse

from tests.factories import MessageFactory, UserFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_staff_filter_accounts_by_activation(client, staff):
    UserFactory(email="active@exemple.fr")
    UserFactory(email="pending@exemple.fr", is_active=False, activated_at=None)
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:candidates_user_changelist") + "?active=no").content.decode()
    assert "pending@exemple.fr" in page
    assert "active@exemple.fr" not in page


def test_staff_search_accounts_by_name(client, staff):
    UserFactory(email="a@exemple.fr", last_name="Lemaire")
    UserFactory(email="b@exemple.fr", last_name="Durand")
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:candidates_user_changelist") + "?q=lemaire").content.decode()
    assert "a@exemple.fr" in page and "b@exemple.fr" not in page


def test_staff_see_an_accounts_messages(client, staff, candidate):
    MessageFactory(recipient=candidate, subject="Activez votre compte")
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:candidates_user_change", args=[candidate.pk])).content.decode()
    assert "Activez votre compte" in page


def test_nobody_edits_a_sent_message_in_admin(client, staff, candidate):
    message = MessageFactory(recipient=candidate, subject="S")
    log_in_with_second_factor(client, staff)
    client.post(reverse("admin:candidates_message_change", args=[message.pk]), {"subject": "Autre"})
    message.refresh_from_db()
    assert message.subject == "S"
