from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from exams.dashboard import dashboard
from exams.views import home
from portal.views import health


def page(template, title):
    return TemplateView.as_view(template_name=f"portal/pages/{template}.html", extra_context={"title": title})


urlpatterns = [
    path("", home, name="home"),
    path("compte/", include("candidates.urls")),
    path("inscription/", include("exams.urls")),
    path("mes-documents/", include("documents.urls")),
    path("admin/tableau-de-bord/", admin.site.admin_view(dashboard), name="admin-dashboard"),
    path("admin/", admin.site.urls),
    path("sante/", health, name="health"),
    path("accessibilite/", page("accessibility", _("Accessibilité")), name="accessibility"),
    path("mentions-legales/", page("legal_notice", _("Mentions légales")), name="legal-notice"),
    path("donnees-personnelles/", page("personal_data", _("Données personnelles")), name="personal-data"),
]
