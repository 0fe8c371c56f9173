from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", views.my_documents, name="mine"),
    path("<int:pk>/etat/", views.documents_status, name="status"),
    path("<int:pk>/telecharger/<slug:kind>/", views.download_generated, name="download"),
]
