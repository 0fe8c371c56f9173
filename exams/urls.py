from django.urls import path

from common import converters  # noqa: F401 - registers <id:…>, a row id within the database's range
from exams import views

app_name = "exams"
urlpatterns = [
    path("", views.register, name="register"),
    path("commencer/", views.registration_start, name="start"),
    path("<id:pk>/etape/<slug:step>/", views.registration_step, name="step"),
    path("<id:pk>/resultats/", views.my_results, name="results"),
    path("<id:pk>/resultats/releve-de-notes/", views.transcript_download, name="transcript"),
    path("convocations/", views.my_convocations, name="convocations"),
    path("convocations/<id:pk>/", views.convocation_download, name="convocation"),
    path("convocations/<id:pk>/calendrier.ics", views.convocation_calendar, name="convocation_ics"),
]
