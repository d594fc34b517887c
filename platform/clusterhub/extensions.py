"""Extensions are created once here and bound to the application in ``create_app``."""

import flask_login
from flask import current_app, g, request, session
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login.signals import user_accessed
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LoginManager(flask_login.LoginManager):
    def _load_user(self) -> None:
        # A request with no cookie (no session, no remember-me cookie) and no Authorization header (the
        # request loader's bearer token) can only be an anonymous visitor: Flask-Login would find that out
        # after parsing the cookies and asking the request loader, on every anonymous page.
        environ = request.environ
        if "HTTP_COOKIE" in environ or "HTTP_AUTHORIZATION" in environ:
            return super()._load_user()  # type: ignore[no-any-return]
        user_accessed.send(current_app._get_current_object())  # type: ignore[attr-defined]
        g._login_user = self.anonymous_user()
        return None

    def _session_protection_failed(self) -> bool:
        # An empty session (an anonymous visitor) has nothing to protect, as Flask-Login itself concludes
        # after hashing the visitor's address and browser on every request (a tenth of a cached page).
        if not session:
            return False
        return bool(super()._session_protection_failed())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
