"""The products an enterprise lists on its profile (name and ОКПД2 code)."""

from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ..models import Enterprise, EnterpriseProduct
from .identifiers import clean_okpd2


def add_product(enterprise: Enterprise, name: str, okpd2: str | None, description: str | None, actor):
    name = (name or "").strip()
    if not name:
        raise Refusal(_("Give the product's name."), "name")
    okpd2 = clean_okpd2(okpd2) if (okpd2 or "").strip() else None
    product = EnterpriseProduct(
        enterprise_id=enterprise.id,
        name=name[:300],
        okpd2=okpd2,
        description=(description or "").strip() or None,
    )
    db.session.add(product)
    db.session.flush()
    record("enterprise.product_added", enterprise, actor=actor, after={"name": name, "okpd2": okpd2})
    return product


def remove_product(product: EnterpriseProduct, actor) -> None:
    record(
        "enterprise.product_removed",
        ("Enterprise", product.enterprise_id),
        actor=actor,
        before={"name": product.name, "okpd2": product.okpd2},
    )
    db.session.delete(product)
    db.session.flush()
