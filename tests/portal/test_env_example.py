import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (PROJECT / "portal" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^#?\s?([A-Z_]+)=", (PROJECT / ".env.example").read_text(), re.MULTILINE))
    assert read, "the settings read no variable?"
    assert read - listed == set()
