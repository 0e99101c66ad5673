"""The `accounts` command group of the command line: its parser (add, list, remove, test, set-credentials, connect,
discover) and the commands, with the credentials read from stdin (never from an argument, which `ps` would show).
Bad options raise UserError naming the flag (exit 2).

Building the parser imports nothing of the data model (the window's first frame does not wait for it); the
commands import the services' domain types when they run. Speaks only to the service layer.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING, Any

from autosync_desktop.cli_interrupt import on_interrupt
from autosync_desktop.cli_output import print_json, table
from autosync_desktop.errors import UserError

if TYPE_CHECKING:
    from autosync_desktop.domain import AccountInfo, AccountRemoval
    from autosync_desktop.services import Services


def option_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value.strip()


def add_parser(sub: Any) -> None:
    """`autosync accounts ...` on the top-level subparsers `sub`."""
    acc = sub.add_parser("accounts", help="platform accounts").add_subparsers(dest="action", metavar="ACTION")
    add = acc.add_parser("add", help="add an account")
    add.add_argument("--platform", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--account-id")
    add.add_argument("--option", action="append", type=option_pair, default=[], metavar="KEY=VALUE")
    add.add_argument("--credentials-stdin", action="store_true",
                     help="read the credentials as one JSON object from stdin (stored in the OS keyring)")
    lst = acc.add_parser("list", help="list accounts")
    lst.add_argument("--json", action="store_true")
    rem = acc.add_parser("remove", help="remove an account and its schedules (its runs stay in history)")
    rem.add_argument("name")
    what = rem.add_mutually_exclusive_group()
    what.add_argument("--delete-data", action="store_true", help="also delete its synced campaigns and daily stats")
    what.add_argument("--keep-data", action="store_true",
                      help="keep its synced data (readable in Data and exports as 'NAME (removed DATE)')")
    acc.add_parser("test", help="one cheap real call to check the connection").add_argument("name")
    setc = acc.add_parser("set-credentials", help="replace an account's credentials (checked with one real call)")
    setc.add_argument("name")
    setc.add_argument("--credentials-stdin", action="store_true", required=True,
                      help="read the credentials as one JSON object from stdin")
    con = acc.add_parser("connect", help="sign in with the platform in your browser (X Ads: then type the PIN)")
    con.add_argument("name")
    con.add_argument("--client-id", help="your OAuth client id (stored in the keyring for this platform)")
    con.add_argument("--client-secret-stdin", action="store_true", help="read the OAuth client secret from stdin")
    con.add_argument("--no-browser", action="store_true", help="only print the sign-in URL")
    con.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser (default 300)")

    dis = acc.add_parser("discover", help="list the accounts the credentials can reach (and add several at once)")
    dis.add_argument("--platform", required=True)
    dis.add_argument("--option", action="append", type=option_pair, default=[], metavar="KEY=VALUE")
    who = dis.add_mutually_exclusive_group(required=True)
    who.add_argument("--credentials-stdin", action="store_true",
                     help="read the credentials as one JSON object from stdin (kept only for the accounts added)")
    who.add_argument("--from-account", metavar="NAME", help="use a stored account's credentials and options")
    dis.add_argument("--add", action="append", default=[], metavar="ACCOUNT_ID",
                     help="add this discovered account (repeat it, or 'all': every one that is not a manager or "
                          "hidden); each is named as the platform names it")
    dis.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the platform (default 60)")
    dis.add_argument("--json", action="store_true")


def _read_credentials() -> dict[str, str]:
    try:
        credentials = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise UserError(f"--credentials-stdin: not valid JSON ({exc.msg}); pass one JSON object") from None
    except RecursionError:
        raise UserError("--credentials-stdin: the JSON is nested too deeply; pass one flat JSON object") from None
    if not isinstance(credentials, dict):
        raise UserError("--credentials-stdin: expected one JSON object, e.g. {\"access_token\": \"…\"}")
    return credentials


def cmd_accounts(svc: Services, a: argparse.Namespace) -> int:
    if a.action == "add":
        credentials = _read_credentials() if a.credentials_stdin else None
        account = svc.accounts.add(a.platform, a.name, a.account_id, dict(a.option), credentials)
        print(f"Added account {account.name!r} ({account.platform})")
    elif a.action == "list":
        accounts = svc.accounts.list()
        if a.json:
            print_json([_account_json(x) for x in accounts])
        else:
            table([(x.name, x.platform, x.account_id, x.auth_state.value, x.health.value) for x in accounts],
                  ("NAME", "PLATFORM", "ACCOUNT ID", "AUTH", "HEALTH"))
    elif a.action == "remove":
        from autosync_desktop.domain import DataOnRemove

        data = DataOnRemove.DELETE if a.delete_data else DataOnRemove.KEEP if a.keep_data else DataOnRemove.REFUSE
        print(_removed_text(svc.accounts.remove(a.name, data)))
    elif a.action == "test":
        print(svc.accounts.test(a.name))
    elif a.action == "set-credentials":
        print(svc.accounts.set_credentials(a.name, _read_credentials()))
    elif a.action == "connect":
        secret = sys.stdin.readline().strip() if a.client_secret_stdin else None

        def show(url: str) -> None:
            print(f"Open this address to sign in (waiting up to {a.timeout:.0f} s):\n{url}", flush=True)
            if not a.no_browser:
                import webbrowser

                webbrowser.open(url)

        cancel = threading.Event()
        stop = on_interrupt(cancel.set)
        try:
            print(svc.accounts.connect(a.name, on_url=show, client_id=a.client_id, client_secret=secret,
                                       timeout_s=a.timeout, cancel=cancel, read_pin=_read_pin))
        finally:
            stop()
    elif a.action == "discover":
        return _discover(svc, a)
    else:
        raise UserError("accounts: choose add, list, remove, test, set-credentials, connect or discover")
    return 0


def _discover(svc: Services, a: argparse.Namespace) -> int:
    """`accounts discover`: list what the credentials reach; with --add, add the picked ones."""
    from autosync_desktop.services.discover import pick  # the discovery helpers load only for this command

    options = dict(a.option)
    if a.from_account:
        platform, credentials, stored = svc.accounts.stored_login(a.from_account)
        if platform != a.platform:
            raise UserError(f"--from-account: {a.from_account!r} is a {platform} account, not {a.platform}")
        options = {**{k: v for k, v in stored.items() if k in ("api_base_url", "token_url")}, **options}
    else:
        credentials = _read_credentials()
    cancel = threading.Event()
    stop = on_interrupt(cancel.set)
    try:
        found = svc.accounts.discover(a.platform, credentials, options, cancel=cancel, timeout_s=a.timeout)
    finally:
        stop()
    added = svc.accounts.add_discovered(pick(found, a.add), credentials, options) if a.add else []
    if a.json:
        print_json({"accounts": [_discovered_json(x) for x in found], "added": [x.name for x in added]})
        return 0
    if not found:
        print("These credentials reach no accounts")
    else:
        table([(x.external_id, "  " * x.level + (x.name or ""), x.currency, x.timezone,
                "yes" if x.is_manager else "", x.level, x.login_customer_id, x.status, "yes" if x.hidden else "")
               for x in found],
              ("ACCOUNT ID", "NAME", "CURRENCY", "TIME ZONE", "MANAGER", "LEVEL", "LOGIN CUSTOMER ID", "STATUS",
               "HIDDEN"))
    for x in added:
        print(f"Added account {x.name!r} ({x.platform}, {x.account_id})")
    return 0


def _discovered_json(x: Any) -> dict[str, Any]:
    """A discovered account as `accounts discover --json` prints it (the documented fields, in this order)."""
    return {"platform": x.platform, "account_id": x.external_id, "name": x.name, "currency": x.currency,
            "timezone": x.timezone, "is_manager": x.is_manager, "level": x.level,
            "login_customer_id": x.login_customer_id, "status": x.status, "hidden": x.hidden,
            "parent_id": x.parent_id}


def _read_pin() -> str:
    """The PIN X shows after the user authorizes the app (PIN sign-in), one line from stdin."""
    print("Type the PIN X shows after you authorize the app, then Enter:", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip()


def _removed_text(r: AccountRemoval) -> str:
    if r.kept_as is not None:
        gone = f" and its {r.removed.describe()}" if r.removed.schedules else ""
        return (f"Removed account {r.name!r}{gone}; its synced data is kept as {r.kept_as!r} (Data, exports); "
                "its past runs stay in the history")
    gone = "" if r.removed.empty else f" with its {r.removed.describe()}"
    return f"Removed account {r.name!r}{gone}; its past runs stay in the history"


def _account_json(x: AccountInfo) -> dict[str, Any]:
    """An account as `accounts list --json` prints it (the documented fields, in this order)."""
    from autosync_desktop.services import iso

    return {"name": x.name, "platform": x.platform, "account_id": x.account_id, "auth_state": x.auth_state.value,
            "health": x.health.value, "currency": x.currency, "timezone": x.timezone,
            "last_success_at": iso(x.last_success_at), "options": dict(x.options)}
