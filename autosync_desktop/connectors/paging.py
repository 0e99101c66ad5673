"""Small paginators: the four ways platform APIs hand out long lists, each a generator of pages.

- `next_url_pages`: follow the link each page gives to the next one (Meta's `paging.next`);
- `token_pages`: send back the page token each page gives (LinkedIn `pageToken`, Google `pageToken`);
- `start_count_pages`: ask for `count` items from `start` until a short page or the total (Rest.li start/count,
  GA4 offset/limit);
- `stream_pages`: cut one long stream of items into pages (Google's searchStream).
Each checks for cancellation (`check`) between pages and stops a platform that repeats itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .base import Transient

Page = TypeVar("Page")
Item = TypeVar("Item")


def _no_check() -> None:
    return None


def next_url_pages(first_url: str, fetch: Callable[[str], Page], next_url: Callable[[Page, str], str | None],
                   check: Callable[[], None] = _no_check) -> Iterator[Page]:
    """fetch(url) per page; `next_url(page, url)` gives the next URL or None at the end."""
    url: str | None = first_url
    seen: set[str] = set()
    while url is not None:
        check()
        if url in seen:
            raise Transient("The platform repeated a page link; the listing will be asked again")
        seen.add(url)
        page = fetch(url)
        yield page
        url = next_url(page, url)


def token_pages(fetch: Callable[[str | None], Page], next_token: Callable[[Page], str | None],
                check: Callable[[], None] = _no_check) -> Iterator[Page]:
    """fetch(token) per page (None for the first); `next_token(page)` gives the next token or None/""."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        check()
        page = fetch(token)
        yield page
        token = next_token(page) or None
        if token is None:
            return
        if token in seen:
            raise Transient("The platform repeated a page token; the listing will be asked again")
        seen.add(token)


def start_count_pages(fetch: Callable[[int, int], Page], size: Callable[[Page], int], count: int,
                      total: Callable[[Page], int | None] | None = None,
                      check: Callable[[], None] = _no_check) -> Iterator[Page]:
    """fetch(start, count) per page until a page holds fewer than `count` items or `start` reaches the total."""
    start = 0
    while True:
        check()
        page = fetch(start, count)
        yield page
        got = size(page)
        start += got
        known = total(page) if total is not None else None
        if got < count or got == 0 or (known is not None and start >= known):
            return


def stream_pages(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive lists of at most `size` items."""
    page: list[Item] = []
    for item in items:
        page.append(item)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page
