from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute link on ``BASE_URL`` (for e-mails), also outside a request (CLI, worker, tests)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
