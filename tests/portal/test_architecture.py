"""The README's « Architecture » says how the code stands; these tests keep it true.

(The order of the packages itself is checked by import-linter in `make test`.)
"""

import importlib
import re
import weakref
from pathlib import Path

from django.dispatch import Signal

ROOT = Path(__file__).resolve().parents[2]
APPS = ["candidates", "exams", "documents", "portal"]


def architecture_section():
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("## Architecture"):readme.index("### The apps one by one")]


def defined_signals():
    """Every signal an app defines, as `app.signals.name`."""
    found = {}
    for app in APPS:
        if not (ROOT / app / "signals.py").exists():
            continue
        module = importlib.import_module(f"{app}.signals")
        found.update({f"{app}.signals.{name}": value for name, value in vars(module).items() if isinstance(value, Signal)})
    return found


def test_every_signal_an_app_sends_is_listed_in_the_readme_and_every_listed_one_exists():
    listed = set(re.findall(r"`(\w+\.signals\.\w+)`", architecture_section()))
    assert listed == set(defined_signals())
    assert listed, "the README lists no event"


def test_every_signal_an_app_sends_is_received_by_an_app_above_it():
    for name, signal in defined_signals().items():
        sender_app = name.split(".")[0]
        refs = [entry[1] for entry in signal.receivers]  # (key, receiver or weak reference, is_async)
        receivers = [ref() if isinstance(ref, weakref.ReferenceType) else ref for ref in refs]
        receiving_apps = {receiver.__module__.split(".")[0] for receiver in receivers if receiver is not None}
        assert receiving_apps, f"{name} has no receiver"
        assert all(APPS.index(app) > APPS.index(sender_app) for app in receiving_apps), (name, receiving_apps)


def test_every_module_the_layer_table_names_exists_in_its_package():
    table = architecture_section().split("| layer | holds |", 1)[1].split("\n\n", 1)[0]
    for row in table.strip().splitlines()[1:]:
        package = re.match(r"\| `(\w+)/`", row).group(1)
        for module in re.findall(r"`(\w+\.py)`", row):
            assert list((ROOT / package).glob(f"**/{module}")), f"{package}/{module} is named in the README but does not exist"


def test_the_leaf_package_is_not_a_django_app_and_every_app_is():
    from django.apps import apps

    names = {config.name for config in apps.get_app_configs()}
    assert set(APPS) <= names
    assert "common" not in names


def test_the_headers_of_a_private_file_are_written_in_one_place():
    """Every download of a private file goes through common/private_files.py (attachment, nosniff,
    no-store): no other module builds a FileResponse or writes Content-Disposition."""
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] not in [*APPS, "common"] or "migrations" in path.parts:
            continue
        source = path.read_text()
        if path != ROOT / "common" / "private_files.py" and ("FileResponse(" in source or "Content-Disposition" in source):
            writers.append(str(path.relative_to(ROOT)))
    assert writers == []
