import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from candidates import forms, franceconnect, login_limits, services
from candidates.limits import email_may_be_sent
from candidates.masking import masked_email
from candidates.models import Message, User, activation_delay
from candidates.tokens import absolute_url, activation_tokens, read_email_change_token
from common.client_address import client_address

ACTIVATION_SESSION_KEY = "_activation_token"
ACTIVATED_EMAIL_SESSION_KEY = "_activated_email"  # the login form's address, once, after activation
LINK_IN_SESSION = "lien"


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "candidates/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Se connecter")}

    def get_initial(self):
        """Just after activation, the address is already typed: only the password is left."""
        initial = super().get_initial()
        if email := self.request.session.pop(ACTIVATED_EMAIL_SESSION_KEY, None):
            initial["username"] = email
        return initial

    def get_default_redirect_url(self):
        """Without a safe `next`, a candidate lands on their registration (« M'inscrire » when
        there is none: that page sends on to the registration of the current session)."""
        if self.request.user.is_staff:
            return super().get_default_redirect_url()
        return reverse("exams:register")

    def post(self, request, *args, **kwargs):
        if login_limits.client_login_blocked_until(request):
            return locked_out(request)  # before any password is hashed
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # A password login is not the FranceConnect sign-in someone else may have left half-way on this browser.
        for key in (FRANCECONNECT_PENDING, FRANCECONNECT_STARTED_FOR, FRANCECONNECT_NEXT):
            self.request.session.pop(key, None)
        return super().form_valid(form)


def login_attempt_email(request, credentials):
    """django-axes counts failures per email whatever its case, like the login itself."""
    email = (credentials or {}).get("username") or request.POST.get("username") or ""
    return email.strip().lower() or None


def locked_out(request, original_response=None, credentials=None):
    """Too many failed logins, say until when: from this client address on any account
    (candidates.login_limits), or 5 for this email from this address (django-axes calls this)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    until = login_limits.client_login_blocked_until(request)
    # A logged-in candidate gets here from a form asking for the current password: nothing logs in there.
    title = _("Mot de passe temporairement bloqué") if request.user.is_authenticated else _("Connexion temporairement bloquée")
    context = {"title": title, "until": until, "whole_network": bool(until)}
    if not until:
        pair = {"username": login_attempt_email(request, credentials), "ip_address": client_address(request)}
        last = AccessAttempt.objects.filter(**pair).order_by("-attempt_time").first()
        context["until"] = (last.attempt_time if last else timezone.now()) + settings.AXES_COOLOFF_TIME
    return render(request, "candidates/locked_out.html", context, status=429)


def signup(request):
    if request.user.is_authenticated:
        return redirect("candidates:account")
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = None
        if email_may_be_sent(request, to_email=data["email"]):
            user = services.account_sign_up(
                email=data["email"], password=data["password1"], last_name=data["last_name"],
                first_name=data["first_name"], birth_date=data["birth_date"],
            )
        else:
            make_password(data["password1"])  # the work of a sign-up: the time taken tells nothing
        # The same page whether the address was new, known or over its limit: it tells nobody who is registered.
        deadline = user.activation_deadline if user else timezone.now() + activation_delay()
        request.session["signup"] = {"email": data["email"], "deadline": deadline.isoformat()}
        return redirect("candidates:signup_done")
    return render(request, "candidates/signup.html", {"form": form, "title": _("Créer mon compte")})


def signup_done(request):
    signup_data = request.session.get("signup")
    if not signup_data:
        return redirect("candidates:signup")
    context = {
        "email": signup_data["email"],
        "deadline": parse_datetime(signup_data["deadline"]),
        "limit": settings.EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR,
        "title": _("Activez votre compte"),
    }
    return render(request, "candidates/signup_done.html", context)


def activate(request, uidb64, token):
    """Follow the activation link. The token leaves the URL first, so no Referer carries it.

    It confirms the address and logs nobody in: whoever signed the address up chose the password,
    maybe not its owner. The login page then says to log in with that password, or to choose a new
    one with « Mot de passe oublié ? », which ends every session opened with the first one.
    While another account is logged in, the link neither activates nor switches accounts: a page
    says whose link it is, and its button logs that account out first, then activates.
    """
    if token != LINK_IN_SESSION:
        request.session[ACTIVATION_SESSION_KEY] = token
        return redirect("candidates:activate", uidb64=uidb64, token=LINK_IN_SESSION)
    token = request.session.get(ACTIVATION_SESSION_KEY, "")
    user = _user_from_uid(uidb64)
    if user is None or not activation_tokens.is_authentic(user, token):
        return _activation_failed(request, "invalid")
    if user.is_active:
        return _activation_failed(request, "used")
    if not user.can_be_activated():
        return _activation_failed(request, "expired")
    if request.user.is_authenticated and request.user.pk != user.pk:
        if request.method != "POST":
            context = {"link_email": masked_email(user.email), "title": _("Ce lien active un autre compte")}
            return render(request, "candidates/activation_other_account.html", context)
        logout(request)
        request.session[ACTIVATION_SESSION_KEY] = token  # the new session keeps the link, still out of the URL
        return redirect("candidates:activate", uidb64=uidb64, token=LINK_IN_SESSION)
    user.activate()
    del request.session[ACTIVATION_SESSION_KEY]
    request.session[ACTIVATED_EMAIL_SESSION_KEY] = user.email
    messages.success(request, _(
        "Votre compte est activé. Connectez-vous avec le mot de passe choisi à la création du compte ; "
        "si ce n'est pas vous qui l'avez choisi, utilisez « Mot de passe oublié ? »."
    ))
    return redirect("candidates:login")


def _user_from_uid(uidb64):
    try:
        return User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _activation_failed(request, reason):
    context = {"reason": reason, "title": _("Lien d'activation inutilisable")}
    return render(request, "candidates/activation_failed.html", context, status=400 if reason == "invalid" else 200)


def resend_activation(request):
    form = forms.EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if email_may_be_sent(request, to_email=email):
            services.account_resend_activation(email=email)
        messages.info(request, _(
            "Si un compte en attente d'activation existe pour cette adresse, le lien vient d'y être "
            "envoyé à nouveau. Il reste valable jusqu'à la même échéance : 48 heures après la création du compte. "
            "Une même adresse reçoit au plus %(limit)s courriels par heure du portail : si rien n'arrive, réessayez dans une heure."
        ) % {"limit": settings.EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR})
        return redirect("candidates:resend_activation")
    return render(request, "candidates/resend_activation.html", {"form": form, "title": _("Recevoir à nouveau le lien d'activation")})


@login_required
def account(request):
    form = forms.SituationForm(request.POST if request.method == "POST" else None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        changes = services.account_update_situation(user=request.user, changed_by=request.user, **form.cleaned_data)
        if changes:
            messages.success(request, _("Vos informations sont enregistrées."))
        else:
            messages.info(request, _("Aucune modification à enregistrer."))
        return redirect("candidates:account")
    return render(request, "candidates/account.html", {"form": form, "title": _("Mon compte")})


@login_required
def email_change(request):
    if request.method == "POST" and login_limits.client_login_blocked_until(request):
        return locked_out(request)  # the password is checked as at the login, and refused as there
    form = forms.EmailChangeForm(request.user, request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        if email_may_be_sent(request, to_email=new_email):
            services.account_request_email_change(user=request.user, new_email=new_email)
        messages.info(request, _(
            "Un lien de confirmation a été envoyé à %(email)s. Votre adresse ne change qu'une fois ce lien ouvert."
        ) % {"email": form.cleaned_data["new_email"]})
        return redirect("candidates:account")
    return render(request, "candidates/email_change.html", {"form": form, "title": _("Changer d'adresse électronique")})


@login_required
def email_change_confirm(request, token):
    payload = read_email_change_token(token)
    if payload is None or not services.account_confirm_email_change(user=request.user, payload=payload):
        context = {"title": _("Lien de confirmation inutilisable")}
        return render(request, "candidates/email_change_failed.html", context, status=400)
    messages.success(request, _("Votre adresse électronique est désormais %(email)s.") % {"email": request.user.email})
    return redirect("candidates:account")


def get_own_message_or_404(user, pk):
    return get_object_or_404(Message, pk=pk, recipient=user)


@login_required
def inbox(request):
    # "recipient" too: a related manager sets each message's recipient from its recipient_id,
    # which, deferred, would cost one query per message.
    messages = request.user.messages.only("recipient", "subject", "created_at", "read_at")[:200]
    context = {"messages_list": messages, "title": _("Mes messages")}
    return render(request, "candidates/inbox.html", context)


@login_required
def message_detail(request, pk):
    message = get_own_message_or_404(request.user, pk)
    message.mark_read()
    return render(request, "candidates/message_detail.html", {"message": message, "title": message.subject})


@login_required
@require_POST
def message_mark_unread(request, pk):
    message = get_own_message_or_404(request.user, pk)
    message.mark_unread()
    return redirect("candidates:inbox")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "candidates/password_reset.html"
    success_url = reverse_lazy("candidates:password_reset_done")
    extra_context = {"title": gettext_lazy("Mot de passe oublié")}

    def form_valid(self, form):
        """One email through the queue whatever the address (a link, or a word that it has no
        account), unless over its limit; the same page in every case."""
        email = form.cleaned_data["email"]
        if email_may_be_sent(self.request, to_email=email):
            services.account_request_password_reset(email=email)
        return redirect(self.get_success_url())


def password_reset_done(request):
    context = {"limit": settings.EMAILS_PER_ADDRESS_AND_CLIENT_PER_HOUR, "title": _("Lien envoyé")}
    return render(request, "candidates/password_reset_done.html", context)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "candidates/password_reset_confirm.html"
    success_url = reverse_lazy("candidates:password_reset_complete")
    extra_context = {"title": gettext_lazy("Nouveau mot de passe")}


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "candidates/password_change.html"
    extra_context = {"title": gettext_lazy("Changer mon mot de passe")}

    def post(self, request, *args, **kwargs):
        if login_limits.client_login_blocked_until(request):
            return locked_out(request)  # the current password is checked as at the login, and refused as there
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_success_url(self):
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return reverse("candidates:account")


# What the session keeps between FranceConnect's steps (Authlib keeps `state` and `nonce` itself).
FRANCECONNECT_NEXT = "_franceconnect_next"  # where to go once signed in
FRANCECONNECT_PENDING = "_franceconnect_pending"  # the identity waiting for the password of the account with its email
FRANCECONNECT_ID_TOKEN = "_franceconnect_id_token"  # for the provider's logout (`id_token_hint`)
FRANCECONNECT_STARTED_FOR = "_franceconnect_started_for"  # the account logged in when the button was pressed, or None
# The identity waits this long for the password: on a shared computer, nobody else's sign-in lingers.
FRANCECONNECT_PENDING_MINUTES = 10
franceconnect_logger = logging.getLogger("candidates.franceconnect")


@require_POST
def franceconnect_start(request):
    """« S'identifier avec FranceConnect » (login, sign-up, « Mon compte »): off to the provider."""
    if not franceconnect.is_configured():
        raise Http404
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        request.session[FRANCECONNECT_NEXT] = next_url
    request.session[FRANCECONNECT_STARTED_FOR] = request.user.pk if request.user.is_authenticated else None
    try:
        return franceconnect.sign_in_redirect(request, absolute_url(reverse("candidates:franceconnect_callback")))
    except franceconnect.FranceConnectError as error:
        return _franceconnect_failed(request, error.message, status=error.status)


def franceconnect_callback(request):
    """The provider sends the browser back here: every check made, the account is opened, made,
    or (when the email already has one) proved with its password before it is linked."""
    if not franceconnect.is_configured():
        raise Http404
    try:
        identity = franceconnect.signed_in_identity(request)
    except franceconnect.FranceConnectError as error:
        franceconnect_logger.warning("FranceConnect sign-in refused: %r", str(error))  # %r: what the URL carried stays on one line
        return _franceconnect_failed(request, error.message, status=error.status)
    started_for = request.session.pop(FRANCECONNECT_STARTED_FOR, "absent")
    if started_for != (request.user.pk if request.user.is_authenticated else None):
        # Started logged out and come back logged in (another tab logged in meanwhile), or the reverse.
        return _franceconnect_failed(request, _("Vous vous êtes connecté(e) ou déconnecté(e) pendant la connexion avec "
                                                "FranceConnect : rien n'a été lié. Recommencez."), status=409)
    if request.user.is_authenticated:  # « Certifier mon identité » from « Mon compte »: its password, once, as for a link
        if request.user.is_staff:
            return _franceconnect_failed(request, services.staff_refused_message(), status=403)
        return _franceconnect_pending(request, request.user, identity)
    try:
        user, existing = services.account_for_franceconnect(identity=identity)
    except services.FranceConnectLinkRefused as error:
        return _franceconnect_failed(request, error.message, status=409)
    if existing is not None:  # an account found by its sub was judged by the service (staff, deactivated)
        if existing.is_staff:
            return _franceconnect_failed(request, services.staff_refused_message(), status=403)
        if not existing.is_active:
            return _franceconnect_failed(request, _(
                "Un compte existe déjà avec l'adresse %(email)s, mais il n'a pas encore été activé : ouvrez le lien "
                "« Activer mon compte » reçu par courriel, puis identifiez-vous à nouveau avec FranceConnect.")
                % {"email": existing.email}, status=409)
        return _franceconnect_pending(request, existing, identity)
    return _franceconnect_log_in(request, user, identity)


def _franceconnect_pending(request, user, identity):
    request.session[FRANCECONNECT_PENDING] = {"user": user.pk, "identity": identity.as_session(), "at": timezone.now().isoformat()}
    return redirect("candidates:franceconnect_link")


def franceconnect_link(request):
    """The email FranceConnect gave has an account: its password, once, before the two are linked."""
    pending = request.session.get(FRANCECONNECT_PENDING)
    if pending and timezone.now() - parse_datetime(pending["at"]) > timedelta(minutes=FRANCECONNECT_PENDING_MINUTES):
        del request.session[FRANCECONNECT_PENDING]
        messages.info(request, _("La connexion avec FranceConnect a attendu plus de %(minutes)s minutes : recommencez.")
                      % {"minutes": FRANCECONNECT_PENDING_MINUTES})
        pending = None
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None or (request.user.is_authenticated and request.user.pk != user.pk):
        return redirect("candidates:account" if request.user.is_authenticated else "candidates:login")
    identity = franceconnect.CertifiedIdentity.from_session(pending["identity"])
    data = None
    if request.method == "POST":
        if login_limits.client_login_blocked_until(request):
            return locked_out(request)
        data = request.POST.copy()
        data["username"] = user.email  # the account of FranceConnect's email, whatever was posted
    form = forms.FranceConnectLinkForm(request, data=data)
    if data is not None and form.is_valid():
        try:
            services.account_link_franceconnect(user=form.get_user(), identity=identity)
        except services.FranceConnectLinkRefused as error:
            del request.session[FRANCECONNECT_PENDING]
            return _franceconnect_failed(request, error.message, status=409)
        del request.session[FRANCECONNECT_PENDING]
        messages.success(request, _("Votre compte est désormais lié à FranceConnect : votre identité est certifiée."))
        return _franceconnect_log_in(request, form.get_user(), identity)
    context = {"form": form, "email": user.email, "identity": identity, "title": _("Lier votre compte à FranceConnect")}
    return render(request, "candidates/franceconnect_link.html", context)


def _franceconnect_log_in(request, user, identity):
    next_url = request.session.pop(FRANCECONNECT_NEXT, None)
    if request.user.is_authenticated and request.user.pk == user.pk:
        next_url = next_url or reverse("candidates:account")  # certified from « Mon compte »
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[FRANCECONNECT_ID_TOKEN] = identity.id_token
    return redirect(next_url or "exams:register")


def _franceconnect_failed(request, message, *, status):
    context = {"message": message, "title": _("Connexion avec FranceConnect impossible")}
    return render(request, "candidates/franceconnect_failed.html", context, status=status)


class LogoutView(auth_views.LogoutView):
    """Logged in through FranceConnect, one is logged out of it too: through its end-session
    endpoint, with the ID token as `id_token_hint`; it sends the browser back to
    `franceconnect_logged_out`."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(FRANCECONNECT_ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if id_token and franceconnect.is_configured():
            back = absolute_url(reverse("candidates:franceconnect_logged_out"))
            return franceconnect.logout_redirect(request, id_token, back) or response
        return response


def franceconnect_logged_out(request):
    if franceconnect.is_configured() and franceconnect.logged_out(request):
        messages.success(request, _("Vous êtes déconnecté(e) du portail et de FranceConnect."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
