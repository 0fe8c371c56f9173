from django.urls import path

from exams import views

app_name = "exams"
urlpatterns = [
    path("", views.register, name="register"),
    path("commencer/", views.registration_start, name="start"),
    path("<int:pk>/", views.registration_overview, name="overview"),
    path("<int:pk>/etape/<slug:step>/", views.registration_step, name="step"),
    path("<int:pk>/resultats/", views.my_results, name="results"),
    path("<int:pk>/resultats/releve-de-notes/", views.transcript_download, name="transcript"),
    path("convocations/", views.my_convocations, name="convocations"),
    path("convocations/<int:pk>/", views.convocation_download, name="convocation"),
    path("convocations/<int:pk>/calendrier.ics", views.convocation_calendar, name="convocation_ics"),
]
