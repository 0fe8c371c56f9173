from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", views.my_documents, name="mine"),
    path("<int:pk>/etat/", views.documents_status, name="status"),
    path("<int:pk>/telecharger/<slug:kind>/", views.download_generated, name="download"),
    path("<int:pk>/justificatifs/", views.my_pieces, name="pieces"),
    path("<int:pk>/justificatifs/<slug:kind>/deposer/", views.upload, name="upload"),
    path("<int:pk>/justificatifs/fichier/<int:file_pk>/retirer/", views.delete_file, name="delete_file"),
    path("<int:pk>/valider/", views.finalize, name="finalize"),
    path("fichier/<int:file_pk>/", views.download_file, name="file"),
]
