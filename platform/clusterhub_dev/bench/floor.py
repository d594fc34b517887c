"""The framework floor for ``make bench``: a bare Flask app served with the same gunicorn settings.

Every page of the bench is reported as a share of this one, so a slower machine or a busier moment moves
both sides of the ratio.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def hello():
    return "ok\n"
