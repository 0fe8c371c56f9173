from django.urls import path

from exams import views

app_name = "exams"
urlpatterns = [
    path("", views.register, name="register"),
    path("commencer/", views.registration_start, name="start"),
    path("<int:pk>/", views.registration_overview, name="overview"),
    path("<int:pk>/etape/<slug:step>/", views.registration_step, name="step"),
]
