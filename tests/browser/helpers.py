from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


def log_in(page, live_server, email, password):
    """Through the login page, by its labels, as a person would."""
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
