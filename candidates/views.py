from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from candidates.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "candidates/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Se connecter")}


def signup(request):
    # Account creation (with its 48-hour activation link) arrives with the accounts issue.
    return render(request, "candidates/signup_closed.html", {"title": _("Créer mon compte")})
