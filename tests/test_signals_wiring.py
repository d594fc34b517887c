"""Registries fill through the signals of core/signals.py, connected in create_app — importing a module
changes no other module's registry."""

import subprocess
import sys
from pathlib import Path

from clusterhub.clusters import services as clusters
from clusterhub.core import signals
from clusterhub.events import services as events
from clusterhub.projects import services as projects
from clusterhub.technoparks import requests as service_requests

ROOT = Path(__file__).resolve().parent.parent


def test_create_app_connects_the_enterprise_history_and_merge_receivers(app):
    history = set(signals.enterprise_history.receivers_for(object()))
    assert {
        clusters.membership_history,
        events.registration_history,
        projects.project_history,
        service_requests.request_history,
    } <= history
    assert clusters.merge_duplicate_memberships in set(signals.enterprise_merging.receivers_for(object()))


def test_importing_the_modules_connects_nothing():
    code = (
        "import clusterhub.clusters.services, clusterhub.events.services, clusterhub.projects.services, "
        "clusterhub.technoparks.requests, clusterhub.enterprises.services\n"
        "from clusterhub.core import signals\n"
        "assert not signals.enterprise_history.receivers, signals.enterprise_history.receivers\n"
        "assert not signals.enterprise_merging.receivers, signals.enterprise_merging.receivers\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "platform", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_payment_providers_are_the_connected_ones(app):
    from clusterhub.billing import providers

    with app.app_context():
        assert [p.code for p in providers.all_providers()] == ["stripe", "invoice"]
        assert providers.get("invoice").admin_panel is not None
        assert providers.get("nothing") is None


def test_importing_a_payment_provider_registers_nothing():
    code = (
        "import clusterhub.billing.providers.stripe.views, clusterhub.billing.providers.invoice.views\n"
        "from clusterhub.core import signals\n"
        "assert not signals.payment_providers.receivers\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "platform", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
