from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from candidates import views
from common import converters  # noqa: F401 - registers <id:…>, a row id within the database's range

app_name = "candidates"


def page(template, title):
    return TemplateView.as_view(template_name=f"candidates/{template}.html", extra_context={"title": title})


urlpatterns = [
    path("creer/", views.signup, name="signup"),
    path("creer/envoye/", views.signup_done, name="signup_done"),
    path("activer/<uidb64>/<token>/", views.activate, name="activate"),
    path("activer/renvoyer/", views.resend_activation, name="resend_activation"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("deconnexion/franceconnect/", views.franceconnect_logged_out, name="franceconnect_logged_out"),
    path("franceconnect/", views.franceconnect_start, name="franceconnect_start"),
    path("franceconnect/retour/", views.franceconnect_callback, name="franceconnect_callback"),
    path("franceconnect/lier/", views.franceconnect_link, name="franceconnect_link"),
    path("", views.account, name="account"),
    path("adresse-electronique/", views.email_change, name="email_change"),
    path("adresse-electronique/confirmer/<token>/", views.email_change_confirm, name="email_change_confirm"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("mot-de-passe/nouveau/termine/", page("password_reset_complete", _("Mot de passe changé")), name="password_reset_complete"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<id:pk>/", views.message_detail, name="message_detail"),
    path("messages/<id:pk>/non-lu/", views.message_mark_unread, name="message_mark_unread"),
]
