"""The ``clusterhub`` console script: Flask's command line with the application this package builds.

The top of the import graph: it imports the app factory, which registers the commands of ``cli.py``.
"""

from flask.cli import FlaskGroup

from . import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="ClusterHub management commands.")()
