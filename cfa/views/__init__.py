"""Blueprints, one per area."""

import importlib

# Each module named here defines `bp`; later areas add their name to this list.
BLUEPRINT_MODULES = [
    "auth",
    "main",
    "admin",
    "me",
    "employer",
    "planning",
    "feeds",
    "attendance",
    "assessment",
    "courses",
    "quality",
    "followup",
    "verify",
    "privacy",
    "api",
    "app_shell",
]


def register_blueprints(app) -> None:
    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(f"cfa.views.{name}")
        for sub in getattr(module, "MODULES", []):  # packages whose pages live in sub-modules
            importlib.import_module(f"cfa.views.{name}.{sub}")
        register = getattr(module, "register", None)  # an area with its own registration (the API's spec)
        if callable(register):  # not a page module that happens to be called `register`
            register(app)
        else:
            app.register_blueprint(module.bp)
