"""Every filter of every admin list, and the admin home, list names in French order, whatever the
database's collation: « Aix-Marseille », « Île-de-France », « Normandie », not « Île » last."""

import pytest
from django.contrib import admin
from django.contrib.admin.filters import AllValuesFieldListFilter, RelatedFieldListFilter
from django.test import RequestFactory
from django.urls import reverse

from common.collation import french_sort_key
from tests.factories import ExamSessionFactory, ExamSlotFactory, SpecialtyFactory, SpecialtyOptionFactory
from tests.portal.helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db

ACADEMIES = ["Normandie", "Île-de-France", "Aix-Marseille", "Écoles européennes", "Lyon"]


@pytest.fixture
def names_out_of_byte_order():
    for year, academy in enumerate(ACADEMIES, start=2200):
        ExamSessionFactory(year=year, academy=academy, name=f"Session {academy}")
        ExamSlotFactory(academy=academy)
    for name in ["Zoologie appliquée", "Électronique embarquée", "Études de cas"]:
        SpecialtyOptionFactory(specialty=SpecialtyFactory(name=name), name=f"option de {name}")


def listed_names(spec):
    if isinstance(spec, AllValuesFieldListFilter):
        return [str(value) for value in spec.lookup_choices if isinstance(value, str)]
    return [str(label) for _, label in spec.lookup_choices]


def every_name_filter(staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    for model, model_admin in admin.site._registry.items():
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            if isinstance(spec, (AllValuesFieldListFilter, RelatedFieldListFilter)):
                yield f"{model._meta.label}: {spec.title}", listed_names(spec)


def test_every_admin_filter_of_names_is_in_french_order(staff, names_out_of_byte_order):
    checked = dict(every_name_filter(staff))
    assert checked["exams.ExamSession: académie"][:3] == ["Aix-Marseille", "Écoles européennes", "Île-de-France"]
    assert "exams.ExamSlot: académie" in checked and "exams.Registration: option" in checked
    out_of_order = {title: names for title, names in checked.items() if names != sorted(names, key=french_sort_key)}
    assert out_of_order == {}


def test_staff_see_the_academies_in_french_order_on_the_sessions_list(client, staff, names_out_of_byte_order):
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("admin:exams_examsession_changelist")).content.decode()
    filter_block = page.split('id="changelist-filter"')[1]
    positions = [filter_block.index(f"{academy}</a>") for academy in ["Aix-Marseille", "Écoles européennes", "Île-de-France", "Lyon", "Normandie"]]
    assert positions == sorted(positions)


def test_the_admin_home_lists_its_sections_and_lists_in_french_order(client, staff):
    log_in_with_second_factor(client, staff)
    app_list = client.get(reverse("admin:index")).context["app_list"]
    names = [str(app["name"]) for app in app_list]
    assert names == sorted(names, key=french_sort_key)
    exams = next(app for app in app_list if app["app_label"] == "exams")
    lists = [str(model["name"]) for model in exams["models"]]
    assert lists == sorted(lists, key=french_sort_key)
    assert lists.index("Épreuves") < lists.index("Inscriptions")
