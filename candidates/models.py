from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # The login is the email, whatever its case.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        """A candidate's account: inactive until the email is confirmed."""
        fields.setdefault("is_active", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, is_active=True)
        fields.setdefault("activated_at", timezone.now())
        return self._create(email, password, **fields)

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: candidates and rectorate staff alike.

    `is_active` is False until the email address is confirmed; `date_joined` is when the
    account was created; `activated_at` is when its email was confirmed.
    """

    email = models.EmailField(
        _("adresse électronique"),
        unique=True,
        error_messages={"unique": _("Un compte existe déjà avec cette adresse électronique.")},
    )
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    first_name = models.CharField(_("prénoms"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("membre du personnel"),
        default=False,
        help_text=_("Peut se connecter à l'administration du rectorat."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=False,
        help_text=_("Faux tant que l'adresse électronique n'a pas été confirmée."),
    )
    date_joined = models.DateTimeField(_("compte créé le"), default=timezone.now)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_(
                    "Un compte existe déjà avec cette adresse électronique."
                ),
            ),
        ]
        indexes = [models.Index(fields=["is_active", "date_joined"], name="user_active_joined_idx")]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name
