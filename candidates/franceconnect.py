"""Signing in with FranceConnect (v2): OpenID Connect's authorisation code flow, through Authlib.

What FranceConnect asks of a service provider, and where it is done:
- `state` ties the callback to the browser that started the flow, `nonce` ties the ID token to
  it: Authlib keeps both in the session, checks `state` at the callback and `nonce` in the token,
  and forgets them once used, so a callback replayed is refused.
- `acr_values` asks for the eIDAS level of `FRANCECONNECT_EIDAS_LEVEL`; the ID token's `acr` must
  reach it (`EidasLevel.at_least`).
- The ID token's signature is checked against the provider's published keys, and its issuer,
  audience, expiry and issue time by Authlib (two minutes of leeway between clocks).
- The userinfo response is a JWT signed by the provider: checked here like the ID token, and its
  `sub` must be the ID token's.
- Logging out goes through the provider's end-session endpoint with `id_token_hint`.

Every failure is a `FranceConnectError` whose message a candidate can read; nobody is logged in.
"""

import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from candidates.models import EidasLevel, Gender

logger = logging.getLogger(__name__)

# The identity pivot and the email (FranceConnect's « scopes » are one per claim).
SCOPE = "openid given_name family_name preferred_username birthdate gender birthplace birthcountry email"
# Leeway between the provider's clock and ours when reading `exp` and `iat` (Authlib's default).
CLOCK_LEEWAY_SECONDS = 120


class FranceConnectError(Exception):
    """The sign-in did not go through; `message` says so to the candidate, in French; `status`
    is the page's: 503 when the provider does not answer, 400 when its answer is refused."""

    def __init__(self, message, detail="", status=400):
        super().__init__(detail or message)
        self.message, self.status = message, status


def unreachable():
    return FranceConnectError(_("FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous "
                                "avec votre adresse électronique et votre mot de passe."), status=503)


def refused(detail):
    return FranceConnectError(_("La connexion avec FranceConnect n'a pas pu être vérifiée : vous n'êtes pas connecté(e). "
                                "Recommencez depuis la page de connexion."), detail)


@dataclass(frozen=True)
class CertifiedIdentity:
    """What FranceConnect vouched for, every check made (`signed_in_identity`)."""

    sub: str
    eidas_level: str
    id_token: str
    email: str
    birth_name: str
    given_names: str
    usage_name: str
    birth_date: date | None
    gender: str
    birthplace_code: str
    birth_country_code: str

    def as_session(self):
        """A form the session can keep (JSON) until the account is linked."""
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_session(cls, data):
        data = dict(data)
        data["birth_date"] = date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None
        return cls(**data)


def is_configured():
    """The button shows only when the rectorate registered the portal with FranceConnect."""
    return bool(settings.FRANCECONNECT_ISSUER and settings.FRANCECONNECT_CLIENT_ID and settings.FRANCECONNECT_CLIENT_SECRET)


def client():
    return _client(settings.FRANCECONNECT_ISSUER.rstrip("/"), settings.FRANCECONNECT_CLIENT_ID,
                   settings.FRANCECONNECT_CLIENT_SECRET, settings.FRANCECONNECT_TIMEOUT)


@lru_cache(maxsize=4)
def _client(issuer, client_id, client_secret, timeout):
    """One Authlib client per configuration; it reads the provider's discovery document once."""
    return OAuth().register(
        "franceconnect", client_id=client_id, client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "token_endpoint_auth_method": "client_secret_post", "default_timeout": timeout},
    )


def sign_in_redirect(request, redirect_uri):
    """The redirect to FranceConnect's authorisation endpoint; `state` and `nonce` stay in the session."""
    try:
        return client().authorize_redirect(request, redirect_uri, nonce=secrets.token_urlsafe(32),
                                           acr_values=settings.FRANCECONNECT_EIDAS_LEVEL)
    except (requests.RequestException, ValueError) as error:
        logger.warning("FranceConnect unreachable at sign-in: %s", error)
        raise unreachable() from error


def signed_in_identity(request):
    """The identity the callback brings back, once the code is exchanged and every token checked."""
    if request.GET.get("error"):
        raise FranceConnectError(_("La connexion avec FranceConnect a été annulée : vous n'êtes pas connecté(e)."),
                                 request.GET.get("error"))
    app = client()
    try:
        issuer = app.load_server_metadata()["issuer"]
        token = app.authorize_access_token(request, leeway=CLOCK_LEEWAY_SECONDS, claims_options={
            "iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "values": [app.client_id]},
            "acr": {"essential": True, "values": EidasLevel.at_least(settings.FRANCECONNECT_EIDAS_LEVEL)},
        })
        if "userinfo" not in token:  # no nonce was kept for this state: the ID token was not checked
            raise refused("no nonce in the session for this state")
        id_claims = token["userinfo"]
        claims = _signed_userinfo(app, token, issuer, id_claims["sub"])
    except MismatchingStateError as error:
        raise FranceConnectError(_("Cette connexion FranceConnect ne vient pas de ce navigateur, ou elle a déjà servi : "
                                   "vous n'êtes pas connecté(e). Recommencez depuis la page de connexion."), "state") from error
    except ExpiredTokenError as error:
        raise FranceConnectError(_("La réponse de FranceConnect a expiré avant d'arriver : vous n'êtes pas connecté(e). "
                                   "Recommencez depuis la page de connexion."), "expired") from error
    except ClaimError as error:
        if error.claim == "acr":
            raise FranceConnectError(_("FranceConnect n'a pas garanti votre identité au niveau demandé par le rectorat (%(level)s) : "
                                       "vous n'êtes pas connecté(e). Choisissez un compte d'identification qui offre ce niveau.")
                                     % {"level": EidasLevel(settings.FRANCECONNECT_EIDAS_LEVEL).label}, "acr") from error
        raise refused(f"claim {error.claim}: {error}") from error
    except (JoseError, ValueError, KeyError) as error:
        raise refused(f"{type(error).__name__}: {error}") from error
    except OAuthError as error:  # the code refused at the token endpoint: already used, or expired
        raise refused(f"{error.error}: {error.description}") from error
    except requests.RequestException as error:
        logger.warning("FranceConnect unreachable at callback: %s", error)
        raise unreachable() from error
    return _identity(claims, sub=id_claims["sub"], acr=id_claims["acr"], id_token=token["id_token"])


def _signed_userinfo(app, token, issuer, sub):
    """FranceConnect's userinfo is a JWT: its signature, issuer, audience and subject are checked."""
    # Asked at once, with the access token as it came: FranceConnect's lives 60 seconds, which
    # Authlib's own request would already count as expired (it allows itself a minute).
    response = requests.get(app.load_server_metadata()["userinfo_endpoint"], timeout=settings.FRANCECONNECT_TIMEOUT,
                            headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/jwt"})
    response.raise_for_status()
    if not response.headers.get("Content-Type", "").startswith("application/jwt"):
        raise ValueError(f"userinfo is not a signed JWT ({response.headers.get('Content-Type')})")
    value = response.text.strip()
    try:
        decoded = jwt.decode(value, KeySet.import_key_set(app.fetch_jwk_set()))
    except InvalidKeyIdError:
        decoded = jwt.decode(value, KeySet.import_key_set(app.fetch_jwk_set(force=True)))
    JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS, iss={"essential": True, "value": issuer},
        aud={"essential": True, "values": [app.client_id]}, sub={"essential": True, "value": sub},
    ).validate(decoded.claims)
    return decoded.claims


def _identity(claims, *, sub, acr, id_token):
    email = _claim_text(claims, "email", CLAIM_LENGTHS["email"])
    if not email:
        raise FranceConnectError(_("FranceConnect n'a pas transmis d'adresse électronique : le portail en a besoin pour vous "
                                   "écrire. Créez plutôt un compte avec votre adresse électronique."), "email")
    text = {name: _claim_text(claims, name, longest) for name, longest in CLAIM_LENGTHS.items()}
    gender = text["gender"]
    identity = CertifiedIdentity(
        sub=sub, eidas_level=acr, id_token=id_token, email=email, birth_name=text["family_name"], given_names=text["given_name"],
        usage_name=text["preferred_username"], birth_date=_date_or_none(text["birthdate"]),
        gender=gender if gender in Gender.values else "", birthplace_code=text["birthplace"], birth_country_code=text["birthcountry"],
    )
    # What is marked certified is read-only afterwards: an identity without its birth name, given
    # names or a whole birth date (« 1962-08-00 » when the day is unknown) certifies nothing.
    if not (identity.birth_name and identity.given_names and identity.birth_date):
        raise FranceConnectError(_("FranceConnect n'a pas transmis votre identité complète (nom, prénoms et date de naissance) : "
                                   "créez plutôt un compte avec votre adresse électronique."), "incomplete pivot")
    return identity


# The longest each claim may be, as the account stores it: longer is a broken answer, refused.
CLAIM_LENGTHS = {"email": 254, "family_name": 150, "given_name": 150, "preferred_username": 150, "birthdate": 10, "gender": 10,
                 "birthplace": 5, "birthcountry": 5}


def _claim_text(claims, name, longest):
    value = claims.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > longest:
        raise refused(f"claim {name} is not a string of at most {longest} characters")
    return value.strip()


def _date_or_none(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def logout_redirect(request, id_token, post_logout_redirect_uri):
    """The redirect to FranceConnect's end-session endpoint; None when it cannot be reached."""
    try:
        return client().logout_redirect(request, post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token,
                                        state=secrets.token_urlsafe(32))
    except (requests.RequestException, ValueError, RuntimeError) as error:
        logger.warning("FranceConnect unreachable at logout: %s", error)
        return None


def logged_out(request):
    """The provider sent the browser back after logging out: True when the `state` is the one sent."""
    try:
        client().validate_logout_response(request)
    except OAuthError:
        return False
    return True
