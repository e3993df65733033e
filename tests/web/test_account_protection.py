"""Accounts and requests against the running app (issue 14 item 9): common and breached passwords refused,
failed logins slowed per (account, address), per account and per address without locking out a NAT or a
named account, cross-origin state-changing requests refused even with a valid CSRF token, HSTS and Secure
cookies only when the configured trusted proxy says the request came over TLS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Barrier

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from canrehab.config import Settings
from canrehab.domain.errors import DomainError
from canrehab.domain.login_backoff import BACKOFF, Backoff
from canrehab.services import passwords
from canrehab.services.context import SYSTEM, Services
from canrehab.services.login_throttle import LoginThrottle
from canrehab.services.passwords import check_password, common_passwords
from canrehab.store.db import make_engine
from canrehab.web.app import create_app
from canrehab.web.settings import WebSettings
from tests.fhir.harness import CHEAP_HASHER

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "ett-langt-losenord"
USERS = ("anna", "bertil", "cecilia", "david", "erik")


# ---------------------------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "password",
    [
        "1234567890",
        "qwertyuiop",
        "password123",
        "sommar2024",
        "Sommar2024!",
        "vinter2025",
        "Lösenord123",
        "valkommen1",
        "sjukhuset2026",
        "aaaaaaaaaaaa",
    ],
)
def test_common_breached_and_swedish_passwords_are_refused_in_swedish(password: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_password(password, "anna")
    assert refused.value.code == "account.password"
    assert "för vanligt" in refused.value.message_sv


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort-1", "minst 10 tecken"), ("anna-har-ett-losen", "användarnamnet")],
)
def test_short_passwords_and_the_user_name_are_refused(password: str, message: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_password(password, "anna")
    assert message in refused.value.message_sv


@pytest.mark.parametrize("password", ["blå cykel över bron", "Tåget-går-kl-7.42", PASSWORD])
def test_uncommon_long_passwords_are_accepted(password: str) -> None:
    check_password(password, "anna")


def test_the_shipped_list_is_the_twenty_thousand_list() -> None:
    words = common_passwords()
    assert len(words) > 19_000
    assert {"123456", "password", "1234567890"} <= words


def test_create_user_on_the_command_line_refuses_1234567890(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from canrehab.cli import app
    from canrehab.config import get_settings

    monkeypatch.setenv("CANREHAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CANREHAB_SECRET_KEY", "s")
    get_settings.cache_clear()  # this test's data directory, not one an earlier test left cached
    args = ["create-user", "anna", "--role", "regional_analyst", "--password"]
    try:
        refused = CliRunner().invoke(app, [*args, "1234567890"])
        assert refused.exit_code != 0
        assert refused.exit_code == 1 and "för vanligt" in refused.output
        accepted = CliRunner().invoke(app, [*args, "blå cykel över bron"])
        assert accepted.exit_code == 0, accepted.output
    finally:
        get_settings.cache_clear()


# ---------------------------------------------------------------------------------------------- the site


@dataclass
class Site:
    app: FastAPI
    services: Services
    now: list[float]


@pytest.fixture(autouse=True)
def cheap_dummy_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash an unknown or throttled login is verified against, at the test accounts' cost."""
    monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_HASHER.hash("dummy"))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from _site(tmp_path, WebSettings())


def _site(tmp_path: Path, web: WebSettings, database_url: str = "") -> Iterator[Site]:
    settings = Settings(data_dir=tmp_path, secret_key="account-secret", database_url=database_url)
    services = Services.open(settings, migrate=True)
    hashed = CHEAP_HASHER.hash(PASSWORD)  # verify_password reads the cost from the hash: fast logins
    with services.uow(SYSTEM, log_reads=False) as uow:
        for name in USERS:
            uow.accounts.create(
                username=name,
                password_hash=hashed,
                role="regional_analyst",
                display_name=name,
                staff_id=None,
                patient_id=None,
                unit_hsa_ids=[],
            )
    now = [1000.0]
    app = _worker(settings, web, now)
    yield Site(app, services, now)
    app.state.services.engine.dispose()
    services.engine.dispose()


def _worker(settings: Settings, web: WebSettings, now: list[float]) -> FastAPI:
    """One app as one worker process of ``canrehab serve`` builds it, on the test's clock."""
    app = create_app(settings, web)
    app.state.throttle = LoginThrottle(app.state.services.engine, clock=lambda: now[0])
    return app


def client_at(site: Site, address: str, base_url: str = "http://127.0.0.1") -> TestClient:
    client = TestClient(site.app, base_url=base_url, client=(address, 40000))
    token = CSRF_RE.search(client.get("/logga-in").text)
    assert token is not None
    client.headers["x-csrf-token"] = token.group(1)
    return client


def login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    r = client.post("/logga-in", data={"username": username, "password": password}, follow_redirects=False)
    return r.status_code


# ---------------------------------------------------------------------------------------------- throttling


def test_failed_logins_behind_one_nat_address_do_not_lock_out_its_other_users(site: Site) -> None:
    nat = client_at(site, "10.20.0.1")
    typos = [*(name for name in USERS[1:] for _ in range(BACKOFF["pair"].free)), *USERS[1:]]
    typos += [f"kollega{n}" for n in range(30)]  # the old throttle locked the address out after 20
    for name in typos:
        login(nat, name, "fel-losenord")
    assert login(nat, "anna") == 303


def test_five_wrong_passwords_do_not_lock_a_named_account_out_from_elsewhere(site: Site) -> None:
    attacker = client_at(site, "192.0.2.66")
    for _ in range(5):
        login(attacker, "anna", "fel-losenord")
    assert login(client_at(site, "10.20.0.7"), "anna") == 303  # the real Anna, at work, gets in at once


def test_the_guessing_pair_waits_exponentially_and_gets_in_after_the_short_lock(site: Site) -> None:
    guesser = client_at(site, "192.0.2.66")
    for _ in range(BACKOFF["pair"].free):
        assert login(guesser, "anna", "fel-losenord") == 401
    r = guesser.post("/logga-in", data={"username": "anna", "password": PASSWORD})
    assert r.status_code == 429 and "Vänta 2 sekunder" in r.text  # even the right password waits
    site.now[0] += 2.5
    assert login(guesser, "anna", "fel-losenord") == 401
    assert "Vänta 4 sekunder" in guesser.post("/logga-in", data={"username": "anna", "password": "x"}).text
    site.now[0] += 4.5
    assert login(guesser, "anna") == 303


def test_guesses_at_one_account_from_many_addresses_are_slowed_briefly(site: Site) -> None:
    policy = BACKOFF["user"]
    for n in range(policy.free):
        assert login(client_at(site, f"198.51.100.{n + 1}"), "bertil", "fel-losenord") == 401
    r = client_at(site, "198.51.100.200").post("/logga-in", data={"username": "bertil", "password": PASSWORD})
    assert r.status_code == 429 and "Vänta 1 sekund och försök igen" in r.text  # singular in Swedish
    site.now[0] += policy.wait(policy.free) + 0.1  # one second: never a 15-minute lockout
    assert login(client_at(site, "198.51.100.200"), "bertil") == 303


def test_unknown_and_known_accounts_are_throttled_alike(site: Site) -> None:
    client = client_at(site, "192.0.2.9")
    answers = []
    for name in ("anna", "ingen-sadan"):
        for _ in range(BACKOFF["pair"].free):
            login(client, name, "fel-losenord")
        r = client.post("/logga-in", data={"username": name, "password": "fel-losenord"})
        answers.append((r.status_code, "Vänta 2 sekunder" in r.text))
    assert answers == [(429, True), (429, True)]


@pytest.mark.parametrize(
    ("failures", "wait"), [(0, 0.0), (2, 0.0), (3, 2.0), (4, 4.0), (6, 16.0), (20, 300.0), (500, 300.0)]
)
def test_backoff_doubles_from_the_free_failures_up_to_its_cap(failures: int, wait: float) -> None:
    assert Backoff(free=3, base=2.0, cap=300.0).wait(failures) == wait


def test_failures_are_forgotten_after_a_quiet_quarter_hour(engine: Engine) -> None:
    now = [0.0]
    throttle = LoginThrottle(engine, clock=lambda: now[0])
    keys = throttle.login_keys("anna", "10.0.0.1")
    for _ in range(6):
        throttle.fail(*keys)
    assert throttle.retry_after(*keys) == 16.0
    now[0] = 15 * 60 + 1
    assert throttle.retry_after(*keys) == 0.0


def test_two_workers_on_one_database_count_the_failures_together(db_url: str, tmp_path: Path) -> None:
    """``canrehab serve --workers 2``: two apps on one database. A guesser whose attempts land on both
    workers waits as soon as the failures of both reach the free ones (each worker alone has fewer)."""
    site = next(_site(tmp_path, WebSettings(), db_url))
    other = Site(_worker(site.app.state.settings, WebSettings(), site.now), site.services, site.now)
    try:
        guesser = [client_at(site, "192.0.2.66"), client_at(other, "192.0.2.66")]
        for n in range(BACKOFF["pair"].free):
            assert login(guesser[n % 2], "anna", "fel-losenord") == 401
        for worker in guesser:  # on either worker, even the right password waits
            r = worker.post("/logga-in", data={"username": "anna", "password": PASSWORD})
            assert r.status_code == 429 and "Vänta 2 sekunder" in r.text
        assert login(client_at(other, "10.20.0.7"), "anna") == 303  # Anna at work, on the other worker
    finally:
        other.app.state.services.engine.dispose()
        site.app.state.services.engine.dispose()
        site.services.engine.dispose()


def test_failures_counted_at_the_same_moment_by_two_processes_are_all_counted(engine: Engine) -> None:
    """The count is one upsert in the database, not a read and a write: concurrent failures on two
    engines (two processes) lose none."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    throttles = [LoginThrottle(e, {"pair": Backoff(free=1000, base=1.0, cap=1.0)}) for e in engines]
    key = "pair:anna@192.0.2.66"
    per_thread = 25
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for done in [pool.submit(_fail_times, throttles[n % 2], key, per_thread) for n in range(4)]:
                done.result()
        assert throttles[0].store.counts([key])[key].count == 4 * per_thread
    finally:
        for each in engines:
            each.dispose()


def _fail_times(throttle: LoginThrottle, key: str, times: int) -> None:
    for _ in range(times):
        throttle.fail(key)


def test_parallel_wrong_passwords_get_exactly_the_free_attempts(engine: Engine) -> None:
    """Twelve wrong passwords settled at once from two processes (two engines) against a pair allowed three
    free failures: exactly three outcomes are told, the rest are told to wait. The check and the count are
    one locked transaction, so none can slip through between another's check and its count."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    policy = {"pair": Backoff(free=3, base=60.0, cap=60.0)}
    throttles = [LoginThrottle(e, policy, clock=lambda: 1_000_000.0) for e in engines]
    keys = throttles[0].login_keys("anna", "192.0.2.66")
    start = Barrier(12)

    def guess(n: int) -> float:
        start.wait()
        return throttles[n % 2].settle(*keys, ok=False)

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            waits = list(pool.map(guess, range(12)))
        assert sorted(w > 0 for w in waits) == [False] * 3 + [True] * 9, waits
        assert throttles[0].store.counts([keys[0]])[keys[0]].count == 3  # a refused attempt counts nothing
        assert throttles[1].settle(*keys, ok=True) == 60.0  # now even the right password waits
    finally:
        for each in engines:
            each.dispose()


def test_many_right_passwords_at_once_are_never_throttled(engine: Engine) -> None:
    """Fifty colleagues behind one address (or fifty tabs of one nurse) logging in at the same moment with
    the right password count nothing, so none of them waits; a wrong password among them still counts."""
    throttle = LoginThrottle(engine, clock=lambda: 1_000_000.0)  # the app's own back-off
    start = Barrier(50)

    def login(n: int) -> float:
        pair, account, address = throttle.login_keys("ssk" if n % 2 else f"kollega{n}", "10.0.0.1")
        start.wait()
        return throttle.settle(pair, account, address, ok=True, clear=(pair, account))

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert set(pool.map(login, range(50))) == {0.0}
    assert throttle.store.counts(["ip:10.0.0.1"]) == {}
    pair, account, address = throttle.login_keys("erik", "10.0.0.1")
    assert throttle.settle(pair, account, address, ok=False) == 0.0
    assert throttle.store.counts([address])[address].count == 1


# ---------------------------------------------------------------------------------------------- origin


def _logged_in(site: Site) -> TestClient:
    client = client_at(site, "10.20.0.5")
    assert login(client, "anna") == 303
    token = CSRF_RE.search(client.get("/logga-in").text)
    assert token is not None
    client.headers["x-csrf-token"] = token.group(1)
    return client


def _denied_rows(site: Site) -> list[str]:
    with site.services.uow(SYSTEM, log_reads=False) as uow:
        return [e.detail for e in uow.audit.query(actor="anna") if e.action == "denied"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://angripare.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1"},
    ],
)
def test_a_cross_origin_post_is_refused_and_audited_even_with_a_valid_csrf_token(
    site: Site, headers: dict[str, str]
) -> None:
    client = _logged_in(site)
    r = client.post("/logga-ut", headers=headers, follow_redirects=False)
    assert r.status_code == 403
    assert any("annat ursprung" in d for d in _denied_rows(site))
    r = client.get("/", follow_redirects=False)  # still logged in: the logout did not happen
    assert not r.headers.get("location", "").startswith("/logga-in")


def test_a_same_origin_post_with_the_token_goes_through(site: Site) -> None:
    client = _logged_in(site)
    headers = {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/logga-ut", headers=headers, follow_redirects=False).status_code == 303


def test_chromiums_null_origin_under_no_referrer_is_accepted_when_fetch_metadata_says_same_origin(
    site: Site,
) -> None:
    """Under our "Referrer-Policy: no-referrer" Chromium posts a form with "Origin: null"; its
    Sec-Fetch-Site (which a page cannot set) decides. Found by the browser tests."""
    client = _logged_in(site)
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/logga-ut", headers=headers, follow_redirects=False).status_code == 303


def test_a_configured_origin_is_accepted(tmp_path: Path) -> None:
    site = next(_site(tmp_path, WebSettings(allowed_origins=["https://vard.region.example"])))
    client = _logged_in(site)
    r = client.post("/logga-ut", headers={"Origin": "https://vard.region.example"}, follow_redirects=False)
    assert r.status_code == 303


# ---------------------------------------------------------------------------------------------- TLS


def _tls_headers(site: Site, address: str, proto: str | None) -> tuple[str, str]:
    client = TestClient(site.app, base_url="http://vard.region.example", client=(address, 40000))
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    r = client.get("/logga-in", headers=headers)
    return r.headers.get("strict-transport-security", ""), r.headers.get("set-cookie", "")


def test_hsts_and_secure_cookies_when_the_trusted_proxy_says_tls(tmp_path: Path) -> None:
    site = next(_site(tmp_path, WebSettings(trusted_proxies=["10.9.0.0/24"])))
    hsts, cookie = _tls_headers(site, "10.9.0.2", "https")
    assert hsts.startswith("max-age=")
    assert cookie.startswith("canrehab_session=") and "; secure" in cookie.lower()
    hsts, cookie = _tls_headers(site, "10.9.0.2", None)  # the proxy forwarded plain http
    assert hsts == "" and "secure" not in cookie.lower()


def test_a_client_cannot_claim_tls_itself(site: Site, tmp_path: Path) -> None:
    hsts, cookie = _tls_headers(site, "192.0.2.66", "https")  # no proxy configured
    assert hsts == "" and "secure" not in cookie.lower()
    other = next(_site(tmp_path / "b", WebSettings(trusted_proxies=["10.9.0.2"])))
    hsts, cookie = _tls_headers(other, "192.0.2.66", "https")  # not from the proxy
    assert hsts == "" and "secure" not in cookie.lower()


def test_behind_the_trusted_proxy_the_throttle_counts_the_forwarded_client(tmp_path: Path) -> None:
    site = next(_site(tmp_path, WebSettings(trusted_proxies=["10.9.0.2"])))
    proxy = client_at(site, "10.9.0.2")
    guesser = {"X-Forwarded-For": "192.0.2.66"}
    for _ in range(BACKOFF["pair"].free):
        proxy.post("/logga-in", data={"username": "anna", "password": "x"}, headers=guesser)
    assert (
        proxy.post("/logga-in", data={"username": "anna", "password": PASSWORD}, headers=guesser).status_code
        == 429
    )
    anna = {"X-Forwarded-For": "10.20.0.7, 10.9.0.2"}
    r = proxy.post(
        "/logga-in", data={"username": "anna", "password": PASSWORD}, headers=anna, follow_redirects=False
    )
    assert r.status_code == 303
