"""Blueprint for ``/dumps/``: the whole dataset for download, gzip-compressed, with checksums.

Files are generated once per store version (see :mod:`esgkg.graph.dumps`) and served from
the cache folder. A request names a file; the name is looked up in that version's list and
only a listed name ever reaches the file system, so ``../`` and friends cannot.
"""
from __future__ import annotations

import base64
import os

from flask import Blueprint, Response, current_app, render_template, request, send_file

from esgkg.graph.dumps import SUMS, DumpFile, Preparing
from esgkg.graph.errors import EsgkgError

from . import http
from .errors import HttpError
from .state import current_state

bp = Blueprint("dumps", __name__)


def _unavailable(exc: Exception) -> HttpError:
    return HttpError(503, f"Downloads are not available: {exc}")


def disk_error_message(exc: OSError, what: str) -> str:
    """What a client is told when ``what`` could not be written (full disk, quota, read-only).

    The operator gets the path in the log; the client only the reason, never a server path.
    """
    current_app.logger.error("could not write %s: %s", what, exc)
    reason = os.strerror(exc.errno) if exc.errno else "an I/O error"
    return (f"{what[:1].upper()}{what[1:]} could not be prepared: the server could not write to its disk "
            f"({reason}). This is a problem on our side; try again later.")


def files_of(version) -> dict[str, DumpFile]:
    """The version's downloads by name, or the 503 that says how far their writer is or why
    they cannot be had (a version too large for the writer's caps, a full disk)."""
    try:
        found = current_state().dump_files(version)
    except EsgkgError as exc:
        raise _unavailable(exc) from exc
    if isinstance(found, Preparing):
        raise preparing_error(found)
    return {f.name: f for f in found}


def preparing_error(found: Preparing) -> HttpError:
    if found.retry:
        current_app.logger.error("could not write the downloads: %s", found.failed)
        return HttpError(503, f"The downloads could not be prepared ({found.failed}). This is a problem on our "
                              "side; try again later.",
                         **{"Retry-After": "300"})
    if found.failed:
        return HttpError(503, f"The downloads of this store version cannot be prepared here: {found.failed} "
                              "(ESGKG_DUMPS_MEMORY, ESGKG_DUMPS_CPU). The data is there to query at /sparql.")
    # Steps: the dataset's graph groups (every whole-dataset file at once), then a file per graph.
    done = f": {found.done} of {found.total} steps done" if found.total else ""
    return HttpError(503, f"The downloads of this store version are being prepared{done}. Try again in a minute.",
                     **{"Retry-After": "60"})


@bp.route("/dumps/")
@bp.route("/dumps", strict_slashes=False)
def index() -> Response:
    ld = current_state()
    version = ld.version()
    if version is None:
        raise _unavailable(EsgkgError("no local store version (remote mode or no build)"))
    etag = f'W/"{version.id}-dumps-index"'
    if http.not_modified(request, etag, version.published):
        return http.not_modified_response(etag, version.published, "Accept-Encoding")
    files = list(files_of(version).values())
    html = render_template("dumps/index.html", files=files, version=version.id, sums=SUMS)
    return http.validators(Response(html, content_type="text/html; charset=utf-8"), etag, version.published)


@bp.route("/dumps/<name>")
def download(name: str) -> Response:
    ld = current_state()
    version = ld.version()
    if version is None:
        raise _unavailable(EsgkgError("no local store version (remote mode or no build)"))
    files = files_of(version)
    assert ld.dumps is not None
    # Absolute: send_file resolves a relative path against the Flask package, not the
    # working directory that a relative store path (the default) is relative to.
    folder = ld.dumps.folder(version.id).resolve()
    if name == SUMS:
        response = send_file(folder / SUMS, mimetype="text/plain", conditional=True, etag=f"{version.id}-sums",
                             last_modified=version.published, max_age=60)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response
    item = files.get(name)
    if item is None:  # not in the whitelist: never touches the disk
        raise HttpError(404, f"No download named {name!r}. See {request.script_root}/dumps/ for the list.")
    # Served as the gzip file it is (no Content-Encoding), so what is saved matches SHA256SUMS.
    response = send_file(folder / item.name, mimetype="application/gzip", as_attachment=True,
                         download_name=item.name, conditional=True, etag=item.sha256,
                         last_modified=version.published, max_age=3600)
    response.headers["X-Content-Media-Type"] = item.media_type
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(item.sha256)).decode()
    return response
