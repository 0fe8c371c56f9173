from django.urls import path

from common import converters  # noqa: F401 - registers <id:…>, a row id within the database's range
from documents import views

app_name = "documents"
urlpatterns = [
    path("<id:pk>/", views.registration_overview, name="overview"),
    path("<id:pk>/documents/", views.my_documents, name="mine"),
    path("<id:pk>/etat/", views.documents_status, name="status"),
    path("<id:pk>/telecharger/<slug:kind>/", views.download_generated, name="download"),
    path("<id:pk>/justificatifs/", views.my_pieces, name="pieces"),
    path("<id:pk>/justificatifs/<slug:kind>/deposer/", views.upload, name="upload"),
    path("<id:pk>/justificatifs/fichier/<id:file_pk>/retirer/", views.delete_file, name="delete_file"),
    path("<id:pk>/justificatifs/piece/<id:piece_pk>/renvoyer/", views.resubmit, name="resubmit"),
    path("<id:pk>/valider/", views.finalize, name="finalize"),
    path("fichier/<id:file_pk>/", views.download_file, name="file"),
]
