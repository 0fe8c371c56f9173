from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """Only the shape of the request; the files themselves are judged by documents.uploads."""

    files = forms.FileField(
        label=_("Fichiers (PDF, JPEG ou PNG, 10 Mo au plus chacun)"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    combine = forms.BooleanField(label=_("Assembler mes photos (recto, verso…) en un seul PDF"), required=False)
