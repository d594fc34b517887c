"""A center keeps an active administrator: removing one, giving them another role and erasing their
account each refuse to leave an active center with no active administrator."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from clusterhub.accounts.models import Membership, TenantRole
from clusterhub.accounts.services import memberships
from clusterhub.centers.services import set_tenant_status
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.privacy.models import CenterErasure
from clusterhub.privacy.services import erasure
from clusterhub.tenancy.scoping import tenant_scope


def _membership(tenant, user):
    with tenant_scope(db.session, tenant.id):
        return db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))


@pytest.fixture
def komi(make_tenant):
    return make_tenant("komi")


def test_the_only_active_admin_is_not_removed_though_an_inactive_one_remains(komi, make_user, client, login):
    admin, former = make_user("center_admin", tenant=komi), make_user("center_admin", tenant=komi)
    former.active = False
    db.session.commit()
    login(admin)
    membership_id = _membership(komi, admin).id
    answer = client.post(f"/komi/staff/members/{membership_id}/remove", data={}, follow_redirects=True)
    assert "единственный действующий администратор центра" in answer.get_data(as_text=True)
    assert _membership(komi, admin) is not None
    # the inactive one may go: it leaves the center no worse off
    assert (
        client.post(f"/komi/staff/members/{_membership(komi, former).id}/remove", data={}).status_code == 302
    )
    assert _membership(komi, former) is None


def test_an_admin_is_removed_once_another_active_admin_exists_or_the_center_is_suspended(komi, make_user):
    admin, second = make_user("center_admin", tenant=komi), make_user("center_admin", tenant=komi)
    with tenant_scope(db.session, komi.id):
        memberships.remove_membership(_membership(komi, second), actor=admin)
        with pytest.raises(Refusal):
            memberships.remove_membership(_membership(komi, admin), actor=admin)
    set_tenant_status(komi, "suspended")
    with tenant_scope(db.session, komi.id):
        memberships.remove_membership(_membership(komi, admin), actor=None)
        assert _membership(komi, admin) is None


def test_the_only_admin_keeps_the_role_and_the_message_is_in_english_too(komi, make_user):
    admin = make_user("center_admin", tenant=komi, name="Анна Админова")
    with pytest.raises(Refusal) as refused:
        memberships.add_membership(admin, komi, TenantRole.CENTER_STAFF)
    assert "Анна Админова — единственный действующий администратор центра" in str(refused.value)
    with force_locale("en"), pytest.raises(Refusal) as in_english:
        memberships.add_membership(admin, komi, TenantRole.EXPERT)
    assert "is the center's only active administrator" in str(in_english.value)
    db.session.rollback()
    assert _membership(komi, admin).role == TenantRole.CENTER_ADMIN

    make_user("center_admin", tenant=komi)
    memberships.add_membership(admin, komi, TenantRole.CENTER_STAFF)
    assert _membership(komi, admin).role == TenantRole.CENTER_STAFF


def test_the_only_admins_erasure_waits_for_another_admin(komi, make_user):
    admin = make_user("center_admin", tenant=komi)
    request = erasure.request_erasure(admin)
    db.session.commit()
    with tenant_scope(db.session, komi.id):
        part = db.session.scalar(
            sa.select(CenterErasure).where(CenterErasure.erasure_request_id == request.id)
        )
        with pytest.raises(Refusal, match="единственный действующий администратор"):
            erasure.complete_center_erasure(part, actor=admin)
    db.session.rollback()
    assert admin.active and _membership(komi, admin) is not None

    successor = make_user("center_admin", tenant=komi)
    with tenant_scope(db.session, komi.id):
        part = db.session.scalar(
            sa.select(CenterErasure).where(CenterErasure.erasure_request_id == request.id)
        )
        erasure.complete_center_erasure(part, actor=successor)
    db.session.commit()
    db.session.expire_all()
    assert not admin.active and _membership(komi, admin) is None


def test_two_admins_removing_each_other_at_once_leave_one(app, pg_only, komi, make_user):
    """The admins' rows are locked while counted: the second removal waits, then sees it would be the last."""
    import threading

    from clusterhub.accounts.models import User

    first, second = make_user("center_admin", tenant=komi), make_user("center_admin", tenant=komi)
    pairs = [(first.id, _membership(komi, second).id), (second.id, _membership(komi, first).id)]
    barrier, refusals, errors = threading.Barrier(2), [], []

    def remove(actor_id, membership_id):
        with app.test_request_context():  # its own session and connection, like another web worker
            try:
                barrier.wait(timeout=30)
                with tenant_scope(db.session, komi.id):
                    memberships.remove_membership(
                        db.session.get(Membership, membership_id), db.session.get(User, actor_id)
                    )
                    db.session.commit()
            except Refusal as refusal:
                db.session.rollback()
                refusals.append(refusal)
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=remove, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(refusals) == 1
    db.session.expire_all()
    with tenant_scope(db.session, komi.id):
        left = db.session.scalars(
            sa.select(Membership.user_id).where(Membership.role == "center_admin")
        ).all()
    assert len(left) == 1
