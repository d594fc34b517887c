"""Registries fill through the signals of core/signals.py, connected in create_app — importing a module
changes no other module's registry."""

import subprocess
import sys
from pathlib import Path

import pytest

from clusterhub.clusters.services import members as clusters
from clusterhub.core import signals
from clusterhub.events.services import history as events
from clusterhub.projects.services import participants
from clusterhub.technoparks.services import requests as service_requests

ROOT = Path(__file__).resolve().parents[2]


def _passes_in_a_fresh_interpreter(code: str) -> None:
    """Run ``code`` where nothing has been imported or connected yet (this test process has an app)."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "platform", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_create_app_connects_the_enterprise_history_and_merge_receivers(app):
    history = set(signals.enterprise_history.receivers_for(object()))
    assert {
        clusters.membership_history,
        events.registration_history,
        participants.project_history,
        service_requests.request_history,
    } <= history
    assert clusters.merge_duplicate_memberships in set(signals.enterprise_merging.receivers_for(object()))


@pytest.mark.backend_independent
def test_importing_the_modules_connects_nothing():
    code = (
        "import clusterhub.clusters.services.members, clusterhub.events.services.history, clusterhub.projects.services.participants, "
        "clusterhub.technoparks.services.requests, clusterhub.enterprises.services.history\n"
        "from clusterhub.core import signals\n"
        "assert not signals.enterprise_history.receivers, signals.enterprise_history.receivers\n"
        "assert not signals.enterprise_merging.receivers, signals.enterprise_merging.receivers\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_payment_providers_are_the_connected_ones(app):
    from clusterhub.billing import providers

    with app.app_context():
        assert [p.code for p in providers.all_providers()] == ["stripe", "invoice"]
        assert providers.get("invoice").admin_panel is not None
        assert providers.get("nothing") is None


@pytest.mark.backend_independent
def test_importing_a_payment_provider_registers_nothing():
    code = (
        "import clusterhub.billing.providers.stripe.views, clusterhub.billing.providers.invoice.views\n"
        "from clusterhub.core import signals\n"
        "assert not signals.payment_providers.receivers\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_menus_list_every_modules_entries_in_the_connected_order(app):
    from clusterhub.core import menu

    with app.app_context():
        tenant = [item.endpoint for item in menu.menu("tenant")]
        assert tenant[:4] == [
            "tenancy.staff_home",
            "tenancy.members",
            "audit.tenant_log",
            "reporting.center_indicators",
        ]
        assert tenant[-2:] == ["privacy.center_requests", "cooperation.featured"]
        assert len(tenant) == len(set(tenant))
        assert [item.endpoint for item in menu.menu("global")][:2] == [
            "accounts.federal_staff",
            "tenancy.admin_tenants",
        ]
        assert [block.template for block in menu.home_blocks("staff")] == [
            "enterprises/_staff_block.html",
            "billing/_staff_block.html",
            "events/_staff_block.html",
            "privacy/_staff_block.html",
        ]
        assert [block.template for block in menu.home_blocks("center")] == [
            "projects/_home_block.html",
            "cooperation/offers/_home_block.html",
        ]


def test_answers_come_in_connection_order():
    from blinker import Namespace

    signal = Namespace().signal("test-order")
    receivers = [lambda sender, n=n: n for n in range(20)]
    for receiver in receivers:
        signal.connect(receiver, weak=False)
    assert signals.answers(signal) == list(range(20))


@pytest.mark.backend_independent
def test_importing_the_views_connects_no_menu_entry():
    code = (
        "import importlib\n"
        "from clusterhub import NAVIGATION_MODULES\n"
        "for name in NAVIGATION_MODULES: importlib.import_module(name)\n"
        "from clusterhub.core import signals\n"
        "assert not signals.menu_items.receivers and not signals.home_blocks.receivers\n"
    )
    _passes_in_a_fresh_interpreter(code)


@pytest.mark.backend_independent
def test_importing_the_views_grants_no_permission_until_create_app():
    code = (
        "import importlib\n"
        "from clusterhub import NAVIGATION_MODULES\n"
        "for name in NAVIGATION_MODULES: importlib.import_module(name)\n"
        "from clusterhub.core import access\n"
        "from clusterhub.accounts.models import TenantRole\n"
        "granted = access.TENANT_ROLE_PERMISSIONS.get(TenantRole.CENTER_ADMIN, set())\n"
        "assert 'clusters.view' not in granted and 'billing.manage' not in granted, granted\n"
        "from clusterhub import create_app\n"
        "create_app()\n"
        "granted = access.TENANT_ROLE_PERMISSIONS[TenantRole.CENTER_ADMIN]\n"
        "assert {'clusters.view', 'billing.manage', 'integrations.manage', 'events.manage'} <= granted, granted\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_every_registry_signal_has_its_receivers_after_create_app(app):
    empty = [signal.name for signal in signals.REGISTRIES if not signal.receivers]
    assert empty == []


@pytest.mark.backend_independent
def test_importing_every_module_connects_no_registry_signal():
    """Nothing but ``create_app`` connects a registry: importing every module (the views, the indicator
    sources, billing's guard) leaves each registry signal without a receiver, hence the indicator registry
    empty."""
    code = (
        "import importlib, pkgutil, clusterhub\n"
        "for module in pkgutil.walk_packages(clusterhub.__path__, 'clusterhub.'):\n"
        "    importlib.import_module(module.name)\n"
        "from clusterhub.core import signals\n"
        "from clusterhub.reporting import registry\n"
        "connected = [s.name for s in signals.REGISTRIES if s.receivers]\n"
        "assert connected == [], connected\n"
        "assert len(registry.REGISTRY) == 0 and len(registry.BREAKDOWNS) == 0\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_the_indicator_registry_lists_the_connected_sources_in_order(app):
    from clusterhub.reporting import registry, sources
    from clusterhub.reporting.sources import clusters, meetings, platform

    keys = list(registry.REGISTRY)
    assert keys[:3] == ["centers", "staff", "clusters"]  # the platform's source first, then clusters'
    assert {"b2b_meetings_held", "b2b_agreements", "b2b_agreements_interregional"} <= set(keys)
    assert len(keys) == len(set(keys))
    answered = set(signals.indicator_sources.receivers_for(None))
    assert {platform.source.answer, clusters.source.answer, meetings.source.answer} <= answered
    sources.connect_signals()  # connecting again (a second app) changes nothing
    assert list(registry.REGISTRY) == keys


def test_a_source_not_connected_has_no_indicator(app):
    from clusterhub.reporting import registry, sources
    from clusterhub.reporting.sources import meetings

    keys = list(registry.REGISTRY)
    signals.indicator_sources.disconnect(meetings.source.answer)
    try:
        assert "b2b_meetings_held" not in registry.REGISTRY
        assert "centers" in registry.REGISTRY
    finally:  # connected again in create_app's order, for the tests after this one
        for receiver in list(signals.indicator_sources.receivers_for(None)):
            signals.indicator_sources.disconnect(receiver)
        sources.connect_signals()
    assert list(registry.REGISTRY) == keys


def test_billing_answers_whether_a_center_is_read_only(app):
    from clusterhub.billing.views import refuse_writes_when_lapsed

    assert refuse_writes_when_lapsed in set(signals.read_only_refusals.receivers_for(object()))
