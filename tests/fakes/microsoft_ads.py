"""A loopback fake of Microsoft Advertising (Bing Ads API v13 REST/JSON) and its Microsoft identity platform token
endpoint, strict where the real ones are.

What it checks and serves (all under one base URL, the services kept apart by their paths):
- POST /common/oauth2/v2.0/token: the refresh grant (public client: a client_secret is refused, as Microsoft does
  with AADSTS700025; the scope must name msads.manage) and the authorization-code grant with PKCE S256;
- every API call: POST with JSON, `Authorization: Bearer` (a token this fake issued), `DeveloperToken`, `CustomerId`
  and `CustomerAccountId`; errors in Microsoft's shape `{"OperationErrors": [...], "BatchErrors": [], "TrackingId"}`;
- POST /CustomerManagement/v13/Account/Query; POST /CampaignManagement/v13/Campaigns/QueryByAccountId (only the
  asked campaign types, never Deleted campaigns, as the real one); POST /Reporting/v13/GenerateReport/Submit (a
  CampaignPerformanceReportRequest: Daily, Csv, header and footer excluded, ReportTimeZone required here so a
  missing one fails loudly) and /Poll (Pending for `pending_polls` polls, then Success with a download URL, or
  without one when the range has no data);
- GET /download/<id>.zip?…&sig=… : the ZIP with a UTF-8 (BOM) CSV; refused when it carries an Authorization header.

Data is deterministic: hashes of campaign id, day, the report's time zone and a per-day restatement counter, so a
report in another zone than the account's (e.g. Pacific time, what Microsoft uses when ReportTimeZone is left out)
gives other numbers. "Today" is the `today=` given, by default the clock's date in the account's zone. `stats` and
`totals` are the ground truth. Faults: `fail_next` (base class) with the Reply builders at the bottom,
`expire_access_tokens`, `revoke`, `retired`, `report_errors`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import threading
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from autosync_desktop import clock
from tests.fakes.server import FakeApi, Reply, Request

TOKEN_PATH = "/common/oauth2/v2.0/token"
ACCOUNT_PATH = "/CustomerManagement/v13/Account/Query"
ACCOUNTS_INFO_PATH = "/CustomerManagement/v13/AccountsInfo/Query"  # the accounts of a customer (discovery)
CAMPAIGNS_PATH = "/CampaignManagement/v13/Campaigns/QueryByAccountId"
SUBMIT_PATH = "/Reporting/v13/GenerateReport/Submit"
POLL_PATH = "/Reporting/v13/GenerateReport/Poll"
DOWNLOAD_PATH = "/download/"
ZONES = {"EasternTimeUSCanada": "America/New_York", "PacificTimeUSCanadaTijuana": "America/Los_Angeles",
         "AmsterdamBerlinBernRomeStockholmVienna": "Europe/Berlin", "OsakaSapporoTokyo": "Asia/Tokyo"}
_STATUS_CYCLE = ("Active", "Active", "Paused", "BudgetPaused", "Active", "Deleted", "BudgetAndManualPaused",
                 "Suspended", "Active")
_TYPE_CYCLE = ("Search", "Search", "Shopping", "Audience", "PerformanceMax", "DynamicSearchAds")
REPORT_COLUMNS = {"TimePeriod", "AccountId", "CampaignId", "CampaignName", "CampaignStatus", "CurrencyCode",
                  "Impressions", "Clicks", "Spend", "Conversions", "Revenue", "Ctr", "AverageCpc"}


@dataclass(frozen=True, slots=True)
class FakeCampaign:
    id: int
    name: str
    status: str
    type: str
    last_active_days_ago: int


@dataclass(frozen=True, slots=True)
class FakeStat:
    campaign_id: str
    campaign_name: str
    date: date
    impressions: int
    clicks: int
    spend_micros: int
    conversions: Decimal
    revenue_micros: int


def _u64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _money(micros: int) -> str:
    return format(Decimal(micros) / Decimal(1_000_000), "f")


def ms_error(status: int, code: int, name: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    """An ApiFaultDetail (operation errors), or an AdApiFaultDetail (`Errors`) for authentication faults."""
    error = {"Code": code, "Details": None, "ErrorCode": name, "Message": message}
    tracking = "6a1c2f0e-8d4b-4b8e-9c7a-3f2d1e0b9a87"
    if code in (105, 106, 109):
        return Reply(status, {"Errors": [error], "TrackingId": tracking, "Type": "AdApiFaultDetail"},
                     headers=headers or {})
    return Reply(status, {"OperationErrors": [error], "BatchErrors": [], "TrackingId": tracking,
                          "Type": "ApiFaultDetail"}, headers=headers or {})


class FakeMicrosoftAds(FakeApi):
    def __init__(self, *, account_id: int = 149372543, customer_id: int = 251186883, account_name: str = "Acme",
                 currency: str = "USD", time_zone: str = "EasternTimeUSCanada", campaigns: int = 45,
                 today: date | None = None, history_days: int = 400, pending_polls: int = 1) -> None:
        super().__init__()
        self.other_accounts: list[dict[str, Any]] = [
            {"Id": 149372544, "Name": "Acme Canada", "Number": "F149ZX2L", "AccountLifeCycleStatus": "Active",
             "PauseReason": None},
            {"Id": 149372545, "Name": "Acme Paused", "Number": "F149ZX2M", "AccountLifeCycleStatus": "Pause",
             "PauseReason": 1}]
        self.account_id = account_id
        self.customer_id = customer_id
        self.account_name = account_name
        self.currency = currency
        self.time_zone = time_zone
        self.today = today or clock.today(ZONES[time_zone])
        self.history_days = history_days
        self.pending_polls = pending_polls
        self.client_id = "0f9a7c2e-ms-client-4411"
        self.developer_token = "MS-DEV-TOKEN-1234ABCD"
        self.refresh_token = "M.C-REFRESH-TOKEN-0001-9c1e"
        self.issued_refresh_tokens = [self.refresh_token]
        self.issued_access_tokens: list[str] = []
        self.valid_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.revoked = False
        self.retired = False
        self.report_errors = 0  # reports that end in Status "Error" (then they work)
        self.challenge: str | None = None  # the PKCE challenge of a browser sign-in (set by the test's browser)
        self.reports: list[dict[str, Any]] = []  # accepted Submit bodies' ReportRequest
        self.signatures: list[str] = []  # the download links' signatures: secrets too
        self._jobs: dict[str, dict[str, Any]] = {}
        self._zips: dict[tuple[Any, ...], tuple[int, bytes]] = {}  # rendered reports (rows, ZIP) until a restatement
        self._restated: dict[date, int] = {}
        self._state = threading.Lock()
        self.campaigns = [self._campaign(i) for i in range(campaigns)]

    def _campaign(self, i: int) -> FakeCampaign:
        status = _STATUS_CYCLE[i % len(_STATUS_CYCLE)]
        last = 0 if status == "Active" else 3 + i % 5 if "Paused" in status else 10 + i % 20
        return FakeCampaign(700_000_000_000 + i * 13, f"MS Campaign {i + 1:02d} {status}", status,
                            _TYPE_CYCLE[i % len(_TYPE_CYCLE)], last)

    # --- ground truth -------------------------------------------------------------------------------------

    def restate(self, day: date) -> None:
        with self._state:
            self._restated[day] = self._restated.get(day, 0) + 1
            self._zips.clear()

    def rendered(self, start: date, end: date, zone: str, columns: list[str]) -> tuple[int, bytes]:
        """(rows, ZIP) of a report, rendered once (the benchmark renders its reports before timing)."""
        key = (start, end, zone, tuple(columns))
        with self._state:
            cached = self._zips.get(key)
        if cached is None:
            cached = (len(self.stats(start, end, zone)), report_zip(self, start, end, zone, columns))
            with self._state:
                self._zips[key] = cached
        return cached

    def stat(self, campaign: FakeCampaign, day: date, zone: str | None = None) -> FakeStat | None:
        days_ago = (self.today - day).days
        if days_ago < campaign.last_active_days_ago or days_ago > self.history_days:
            return None
        h = _u64(f"{campaign.id}|{day.isoformat()}|{zone or self.time_zone}|{self._restated.get(day, 0)}")
        if h % 100 < 15:
            return None  # a zero-activity day: Microsoft leaves it out of the report
        impressions = 25 + (h >> 8) % 9000
        clicks = impressions * ((h >> 24) % 50) // 1000
        spend = clicks * (50_000 + (h >> 32) % 4_000_000) // 10_000 * 10_000  # whole cents
        conversions = Decimal(clicks // (4 + (h >> 44) % 9)) + (Decimal("0.50") if h % 3 == 0 else 0)
        revenue = int(conversions * (15_000_000 + (h >> 50) % 60_000_000)) // 10_000 * 10_000
        return FakeStat(str(campaign.id), campaign.name, day, impressions, clicks, spend, conversions, revenue)

    def stats(self, start: date, end: date, zone: str | None = None) -> list[FakeStat]:
        out = []
        day = start
        while day <= end:
            out.extend(s for s in (self.stat(c, day, zone) for c in self.campaigns) if s is not None)
            day += timedelta(days=1)
        return out

    def totals(self, start: date, end: date) -> dict[str, Any]:
        rows = self.stats(start, end)
        return {"rows": len(rows), "impressions": sum(r.impressions for r in rows),
                "clicks": sum(r.clicks for r in rows), "spend_micros": sum(r.spend_micros for r in rows),
                "conversions": sum(r.conversions for r in rows),
                "revenue_micros": sum(r.revenue_micros for r in rows)}

    def secrets(self) -> list[str]:
        with self._state:
            return [self.developer_token, *self.issued_refresh_tokens, *self.issued_access_tokens, *self.signatures]

    # --- switches -----------------------------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        with self._state:
            self.expired_tokens |= set(self.issued_access_tokens)
            self.valid_tokens -= self.expired_tokens

    def revoke(self) -> None:
        with self._state:
            self.revoked = True
            self.valid_tokens.clear()

    # --- routing ------------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        if req.path == TOKEN_PATH:
            return self._token(req)
        if req.path.startswith(DOWNLOAD_PATH):
            return self._download(req)
        rejected = self._check(req)
        if rejected is not None:
            return rejected
        body = req.json()
        if req.path == ACCOUNT_PATH:
            return self._account(body)
        if req.path == ACCOUNTS_INFO_PATH:
            return self._accounts_info(body)
        if req.path == CAMPAIGNS_PATH:
            return self._campaigns(body)
        if req.path == SUBMIT_PATH:
            return self._submit(req, body)
        if req.path == POLL_PATH:
            return self._poll(req, body)
        return Reply(404, "")

    def _check(self, req: Request) -> Reply | None:
        if req.method != "POST" or not req.headers.get("content-type", "").startswith("application/json"):
            return ms_error(400, 100, "NullRequest", "The request message is null.")
        if self.retired:
            return ms_error(400, 118, "ApiVersionNoLongerSupported", "The API version is no longer supported.")
        auth = req.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self._state:
            if token in self.expired_tokens:
                return ms_error(401, 109, "AuthenticationTokenExpired", "The OAuth access token has expired.")
            if self.revoked or token not in self.valid_tokens:
                return ms_error(401, 105, "InvalidCredentials", "Authentication failed. Either supplied "
                                "credentials are invalid or the account is inactive")
        if req.headers.get("developertoken") != self.developer_token:
            return ms_error(400, 105, "InvalidCredentials", "Authentication failed. The developer token is invalid.")
        if req.path == ACCOUNTS_INFO_PATH:
            return None  # the user's accounts: no account headers needed
        if req.path != ACCOUNT_PATH and req.headers.get("customerid") != str(self.customer_id):
            return ms_error(400, 1030, "CustomerIdHeaderNotValid", "The CustomerId header element is invalid.")
        if req.headers.get("customeraccountid") != str(self.account_id):
            return ms_error(400, 1029, "AccountIdHeaderNotValid", "The CustomerAccountId header is invalid.")
        return None

    # --- endpoints ----------------------------------------------------------------------------------------

    def _token(self, req: Request) -> Reply:
        form = req.form()
        if "client_secret" in form:
            return Reply(401, {"error": "invalid_client", "error_description": "AADSTS700025: Client is public so "
                               "neither 'client_assertion' nor 'client_secret' should be presented."})
        if form.get("client_id") != self.client_id:
            return Reply(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: not found"})
        grant = form.get("grant_type")
        with self._state:
            if grant == "authorization_code":
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if form.get("code") != "good-code" or digest != self.challenge:
                    return Reply(400, {"error": "invalid_grant", "error_description": "AADSTS70008: bad code"})
            elif grant == "refresh_token":
                if "msads.manage" not in form.get("scope", ""):
                    return Reply(400, {"error": "invalid_scope", "error_description": "AADSTS70011: scope"})
                if self.revoked or form.get("refresh_token") != self.refresh_token:
                    return Reply(400, {"error": "invalid_grant", "error_description": "AADSTS70000: The provided "
                                       "grant has expired due to it being revoked"})
            else:
                return Reply(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003"})
            access = f"EwB-MS-ACCESS-TOKEN-{len(self.issued_access_tokens) + 1:04d}"
            self.issued_access_tokens.append(access)
            self.valid_tokens.add(access)
        return Reply(200, {"token_type": "Bearer", "scope": "https://ads.microsoft.com/msads.manage",
                           "expires_in": 3599, "access_token": access, "refresh_token": self.refresh_token})

    def _account(self, body: Any) -> Reply:
        if not isinstance(body, dict) or str(body.get("AccountId")) != str(self.account_id):
            return ms_error(400, 1102, "CampaignServiceInvalidAccountId", "The account identifier is invalid.")
        return Reply(200, {"Account": {"Id": self.account_id, "Name": self.account_name, "Number": "F149ZX2K",
                                       "CurrencyCode": self.currency, "TimeZone": self.time_zone,
                                       "ParentCustomerId": self.customer_id, "AccountLifeCycleStatus": "Active"}})

    def listed_accounts(self) -> list[dict[str, Any]]:
        """AccountsInfo of the customer: this account first, then `other_accounts`."""
        own = {"Id": self.account_id, "Name": self.account_name, "Number": "F149ZX2K",
               "AccountLifeCycleStatus": "Active", "PauseReason": None}
        return [own, *self.other_accounts]

    def _accounts_info(self, body: Any) -> Reply:
        if not isinstance(body, dict) or str(body.get("CustomerId")) != str(self.customer_id):
            return ms_error(400, 1030, "CustomerIdHeaderNotValid", "The customer identifier is invalid.")
        return Reply(200, {"AccountsInfo": self.listed_accounts()})

    def _campaigns(self, body: Any) -> Reply:
        if not isinstance(body, dict) or str(body.get("AccountId")) != str(self.account_id):
            return ms_error(400, 1102, "CampaignServiceInvalidAccountId", "The account identifier is invalid.")
        kinds = set(str(body.get("CampaignType") or "Search").split())
        items = [{"Id": c.id, "Name": c.name, "Status": c.status, "CampaignType": c.type, "BudgetType": "DailyBudget",
                  "DailyBudget": 25.0, "TimeZone": self.time_zone}
                 for c in self.campaigns if c.type in kinds and c.status != "Deleted"]
        return Reply(200, {"Campaigns": items, "PartialErrors": []})

    def _submit(self, req: Request, body: Any) -> Reply:
        report = body.get("ReportRequest") if isinstance(body, dict) else None
        problem = self._report_problem(report)
        if problem is not None:
            return ms_error(400, 2001, "InvalidReportRequest", problem)
        assert isinstance(report, dict)
        time_ = report["Time"]
        start, end = (date(d["Year"], d["Month"], d["Day"]) for d in (time_["CustomDateRangeStart"],
                                                                         time_["CustomDateRangeEnd"]))
        with self._state:
            self.reports.append(report)
            job_id = f"{len(self.reports)}_{self.account_id}_{start:%Y%m%d}"
            failing = self.report_errors > 0
            self.report_errors -= int(failing)
            self._jobs[job_id] = {"start": start, "end": end, "zone": time_["ReportTimeZone"], "polls": 0,
                                  "columns": list(report["Columns"]), "error": failing,
                                  "host": req.headers.get("host", "")}
        return Reply(200, {"ReportRequestId": job_id})

    def _report_problem(self, report: Any) -> str | None:
        if not isinstance(report, dict) or report.get("Type") != "CampaignPerformanceReportRequest":
            return "Type must be CampaignPerformanceReportRequest"
        expected = {"Aggregation": "Daily", "Format": "Csv", "ExcludeReportHeader": True,
                    "ExcludeReportFooter": True, "ExcludeColumnHeaders": False}
        for key, value in expected.items():
            if report.get(key) != value:
                return f"{key} must be {value!r} here"
        if report.get("Scope") != {"AccountIds": [self.account_id]}:
            return "Scope.AccountIds must be this account"
        columns = report.get("Columns")
        if not isinstance(columns, list) or not {"TimePeriod", "CampaignId"} <= set(columns) <= REPORT_COLUMNS:
            return f"bad Columns {columns!r}"
        time_ = report.get("Time")
        if not isinstance(time_, dict) or time_.get("ReportTimeZone") not in ZONES:
            return "Time.ReportTimeZone is missing or unknown (Microsoft would use Pacific time)"
        return None

    def _poll(self, req: Request, body: Any) -> Reply:
        job_id = str(body.get("ReportRequestId") if isinstance(body, dict) else "")
        with self._state:
            job = self._jobs.get(job_id)
            if job is None:
                return ms_error(400, 2004, "InvalidReportRequestId", "The report request id is invalid.")
            job["polls"] += 1
            if job["polls"] <= self.pending_polls:
                return Reply(200, {"ReportRequestStatus": {"ReportDownloadUrl": None, "Status": "Pending"}})
            if job["error"]:
                return Reply(200, {"ReportRequestStatus": {"ReportDownloadUrl": None, "Status": "Error"}})
        if not self.rendered(job["start"], job["end"], job["zone"], job["columns"])[0]:
            return Reply(200, {"ReportRequestStatus": {"ReportDownloadUrl": None, "Status": "Success"}})
        signature = f"sig-{_u64(job_id + 'sas') :016x}SAS"
        with self._state:
            self.signatures.append(signature)
        url = f"http://{job['host']}{DOWNLOAD_PATH}{job_id}.zip?sv=2020-08-04&se=2099-01-01&sp=r&sig={signature}"
        return Reply(200, {"ReportRequestStatus": {"ReportDownloadUrl": url, "Status": "Success"}})

    def _download(self, req: Request) -> Reply:
        if req.method != "GET" or "authorization" in req.headers:
            return Reply(400, b"<Error><Code>InvalidAuthenticationInfo</Code></Error>")
        job_id = req.path[len(DOWNLOAD_PATH):].removesuffix(".zip")
        with self._state:
            job = self._jobs.get(job_id)
        if job is None or not req.arg("sig", "").startswith("sig-"):
            return Reply(403, b"<Error><Code>AuthenticationFailed</Code></Error>")
        return Reply(200, self.rendered(job["start"], job["end"], job["zone"], job["columns"])[1])


def report_zip(api: FakeMicrosoftAds, start: date, end: date, zone: str, columns: list[str]) -> bytes:
    """The report as Microsoft sends it: a ZIP holding one CSV (UTF-8 with BOM, every value quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    statuses = {str(c.id): c.status for c in api.campaigns}
    for s in api.stats(start, end, zone):
        values = {"TimePeriod": s.date.isoformat(), "AccountId": str(api.account_id), "CampaignId": s.campaign_id,
                  "CampaignName": s.campaign_name, "CampaignStatus": statuses[s.campaign_id],
                  "CurrencyCode": api.currency,
                  "Impressions": str(s.impressions), "Clicks": str(s.clicks), "Spend": _money(s.spend_micros),
                  "Conversions": str(s.conversions), "Revenue": _money(s.revenue_micros)}
        writer.writerow([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"{start:%Y%m%d}.csv", "\ufeff" + out.getvalue())
    return buffer.getvalue()


# --- fault replies (use with fail_next) -----------------------------------------------------------------------

def throttled(retry_after: int | None = None) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return ms_error(429, 117, "CallRateExceeded", "You have exceeded the number of calls that you are allowed to "
                    "make in a minute. Please reduce the number of calls that you make per minute.", headers)


def server_error(status: int = 500) -> Reply:
    return ms_error(status, 0, "InternalError", "An internal error has occurred.")


def expired_token() -> Reply:
    return ms_error(401, 109, "AuthenticationTokenExpired", "The OAuth access token has expired.")


def invalid_credentials() -> Reply:
    return ms_error(401, 105, "InvalidCredentials", "Authentication failed. Either supplied credentials are invalid "
                    "or the account is inactive")


def invalid_grant() -> Reply:
    return Reply(400, {"error": "invalid_grant", "error_description": "AADSTS70000: The provided grant has expired "
                                                                      "due to it being revoked"})


def not_authorized() -> Reply:
    return ms_error(400, 106, "UserIsNotAuthorized", "The user does not represent a authorized developer.")


def malformed() -> Reply:
    return Reply(200, '{"ReportRequestStatus": {"Sta')


def dropped() -> Reply:
    return Reply(drop=True)
