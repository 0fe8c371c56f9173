"""What every app of the portal uses and that knows no app: it imports none of them (import-linter
checks it). Django's own `django.utils` is the model."""
