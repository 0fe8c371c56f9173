from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from documents.views import verify
from exams.views import home
from portal.dashboard import dashboard
from portal.views import health, liveness, metrics, my_data


def page(template, title):
    return TemplateView.as_view(template_name=f"portal/pages/{template}.html", extra_context={"title": title})


urlpatterns = [
    path("", home, name="home"),
    path("compte/mes-donnees/", my_data, name="my-data"),
    path("compte/", include("candidates.urls")),
    path("inscription/", include("exams.urls")),
    path("inscription/", include("documents.urls")),  # a registration's dossier: /inscription/<id>/…
    path("admin/tableau-de-bord/", admin.site.admin_view(dashboard), name="admin-dashboard"),
    path("admin/", admin.site.urls),
    path("sante/", health, name="health"),  # readiness: database, cache and broker (README, « Monter en charge »)
    path("sante/vivant/", liveness, name="liveness"),  # liveness: the process answers
    path("metriques/", metrics, name="metrics"),  # Prometheus, with its token (README, « Métriques (Prometheus) »)
    path("verifier/<str:code>", verify, name="verify"),  # the address the confirmation's QR code carries
    path("accessibilite/", page("accessibility", _("Accessibilité")), name="accessibility"),
    path("mentions-legales/", page("legal_notice", _("Mentions légales")), name="legal-notice"),
    path("donnees-personnelles/", page("personal_data", _("Données personnelles")), name="personal-data"),
]
