"""The suite's fixtures are one plugin, tests/fixtures/: the application and its database, the factories of
each area, and the helpers tests share."""

pytest_plugins = ["tests.fixtures"]
