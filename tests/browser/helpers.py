from pathlib import Path

from playwright.sync_api import expect

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

PHONE = {"width": 390, "height": 844}

# The password of the candidates that browser tests make, to log in through the page.
PASSWORD = "une phrase de passe solide"


def log_in(page, live_server, email, password):
    """Through the login page, by its labels, as a person would."""
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def serious_violations(page):
    """axe-core's serious and critical violations on the page as it is drawn now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def open_my_pieces(live_server, page, registration):
    """Log in as the candidate of the `registration` fixture, then open « Mes justificatifs »."""
    log_in(page, live_server, "camille@exemple.fr", PASSWORD)
    page.goto(f"{live_server.url}/inscription/{registration.pk}/justificatifs/")


def step_url(live_server, registration, step):
    """A step of the registration form."""
    return f"{live_server.url}/inscription/{registration.pk}/etape/{step}/"
