"""Development-only code beside the application: demo data and the benchmark.

``clusterhub_dev.demo`` fills a local database (``flask demo load``, ``flask demo scale``) and gives the
tests the model data; ``clusterhub_dev.bench`` is ``make bench`` (``python -m clusterhub_dev.bench``).
The wheel and the production image hold only ``clusterhub`` (pyproject.toml's ``packages.find`` and
.dockerignore), and nothing in ``clusterhub`` imports this package.

``flask --app clusterhub_dev`` (the Makefile's ``FLASK_APP``) is the production application with the
``demo`` commands added: a ``flask.commands`` entry point would sit in the package metadata, which the
image shares, and Flask loads every such command before running any, ``flask db upgrade`` included.
"""

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """The application of ``clusterhub.create_app`` with the ``demo`` command group registered."""
    from clusterhub import create_app as create_production_app

    from .demo import demo_cli

    app = create_production_app(config)
    app.cli.add_command(demo_cli)
    return app
