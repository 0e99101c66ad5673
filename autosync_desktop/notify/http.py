"""One bounded HTTP POST for the web channels, with failures turned into plain-words DeliveryErrors.

Error texts name only the host, never the URL: a Slack webhook's path is its token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from autosync_desktop import __version__
from autosync_desktop.notify.base import DeliveryError

if TYPE_CHECKING:  # requests (~60 ms) is imported when the first request is made
    import requests

USER_AGENT = f"AutoSync-Desktop/{__version__}"


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else "?"


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    for needle, words in (("refused", "connection refused"), ("name or service not known", "unknown host name"),
                          ("nodename nor servname", "unknown host name"), ("getaddrinfo", "unknown host name"),
                          ("network is unreachable", "network unreachable"), ("reset by peer", "connection reset"),
                          ("remote end closed", "the server closed the connection"),
                          ("connection aborted", "the server closed the connection")):
        if needle in text:
            return words
    return "network error"


def post(url: str, *, timeout_s: float, what: str, **kwargs: Any) -> requests.Response:
    """POST without following redirects (a message is never re-sent elsewhere); raise DeliveryError on
    network trouble. The caller judges the status code."""
    import requests

    host = host_of(url)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    try:
        return requests.post(url, headers=headers, timeout=(min(timeout_s, 10.0), timeout_s),
                             allow_redirects=False, **kwargs)
    except requests.exceptions.SSLError:
        raise DeliveryError(f"The secure connection to {what} ({host}) failed: its certificate could not be "
                            "verified", retryable=True) from None
    except requests.exceptions.Timeout:
        raise DeliveryError(f"{what} ({host}) did not answer within {timeout_s:g} s", retryable=True) from None
    except requests.exceptions.ConnectionError as exc:
        raise DeliveryError(f"Could not connect to {what} ({host}): {_reason(exc)}", retryable=True) from None
    except requests.exceptions.RequestException as exc:
        raise DeliveryError(f"Sending to {what} ({host}) failed: {type(exc).__name__}") from None


RAW_BODY_CHARS = 4000  # of an error answer's body, before redaction (the shown text is cut after it)


def status_error(response: requests.Response, what: str, hint: str = "") -> DeliveryError:
    """A DeliveryError for a non-2xx answer: status, the start of the body, the hint; 5xx/429 retryable.

    The body is kept long here: it may echo a secret, and a secret cut in half is no longer recognised by the
    redactor. `dispatcher.deliver_once` redacts the whole text first, then shortens it."""
    body = " ".join((response.text or "")[:RAW_BODY_CHARS].split())
    text = f"{what} answered HTTP {response.status_code}" + (f" ({body})" if body else "")
    if hint:
        text += f"; {hint}"
    return DeliveryError(text, retryable=response.status_code >= 500 or response.status_code == 429)
