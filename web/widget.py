"""The embeddable widget script, a host page that demonstrates it, and the OpenSearch description."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from flask import send_from_directory

bp = Blueprint("widget", __name__)

WIDGET_MAX_AGE = 3600  # seconds; the ETag lets browsers revalidate cheaply after that


@bp.get("/widget.js")
def script():
    """The widget, cacheable, loadable from any origin."""
    response = send_from_directory(current_app.static_folder, "widget.js", max_age=WIDGET_MAX_AGE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/widget-demo")
def demo():
    """A host page that embeds the widget as another site would."""
    return render_template("widget_demo.html", mode=request.args.get("mode", ""))


@bp.get("/opensearch.xml")
def opensearch():
    """Lets browsers add kbsearch to their search bar."""
    body = render_template("opensearch.xml", root=request.url_root.rstrip("/"))
    return body, 200, {"Content-Type": "application/opensearchdescription+xml; charset=utf-8"}
