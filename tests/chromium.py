"""chromium.py - a real browser for the tests: Debian's headless Chromium
driven through chromedriver's WebDriver HTTP API (W3C), standard library
only (nothing downloads a browser).  Chrome DevTools commands go through
chromedriver's goog/cdp/execute: color scheme, touch, viewport size,
time zone, JavaScript off.  Permissions (the clipboard's) go through
WebDriver's own /permissions.

    with Chromium(env, "page") as wd:   # output under var/test/browser/
        wd.login(env.web_prefix.url, "이름")
        wd.click("#memo-save")

Every page the browser opens records its script errors, unhandled promise
rejections and Content-Security-Policy violations; wd.problems() returns
them and the tests require none.

A browser is started once and lent to test after test, each getting a new
tab in it with the cookies and storage of the test before deleted
(Chromium.forget; test_browser's browser_lent_again shows it)."""
import atexit
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import stack
from lib import Skipped, check

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
KEY = {"ctrl": "\ue009", "enter": "\ue007", "esc": "\ue00c", "tab": "\ue004",
       "shift": "\ue008", "null": "\ue000", "end": "\ue010"}

# Installed in every document before its own scripts run.
WATCH = """
window.__problems = [];
addEventListener('error', function (e) {
  __problems.push('error: ' + e.message + ' at ' + e.filename + ':' + e.lineno); });
addEventListener('unhandledrejection', function (e) {
  __problems.push('rejection: ' + (e.reason && e.reason.stack || e.reason)); });
document.addEventListener('securitypolicyviolation', function (e) {
  __problems.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI); });
"""


def available():
    return os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


class Browser:
    """chromedriver and one Chromium session of it, started once and lent
    to test after test (Chromium.__enter__): starting them takes ~2.5 s
    and ~2 s of CPU, more than many a page test's own work."""

    def __init__(self, size, logdir):
        self.size = size
        self.profile = tempfile.mkdtemp(prefix="memo-chromium-")
        os.makedirs(logdir, exist_ok=True)
        self.log = open(os.path.join(logdir, f"chromedriver-{os.getpid()}-"
                                     f"{os.path.basename(self.profile)}.log"), "ab")
        port = stack.free_port()
        self.drv = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        self.sid = None
        try:
            stack.wait_for(stack.listening_by(port, self.drv.pid), "chromedriver",
                           proc=self.drv)
            caps = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--disable-renderer-backgrounding",
                    "--disable-background-timer-throttling",
                    "--lang=ko-KR", f"--window-size={size[0]},{size[1]}",
                    f"--user-data-dir={self.profile}"]}}}}
            self.sid = webdriver(self.base, "POST", "/session", caps)["sessionId"]
        except BaseException:
            self.quit()
            raise

    def alive(self):
        try:
            webdriver(self.base, "GET", f"/session/{self.sid}/window/handles", timeout=10)
            return True
        except Exception:
            return False

    def quit(self):
        if self.sid:
            try:
                webdriver(self.base, "DELETE", f"/session/{self.sid}", timeout=20)
            except Exception:
                pass
            self.sid = None
        if self.drv.poll() is None:
            self.drv.terminate()
            try:
                self.drv.wait(10)
            except subprocess.TimeoutExpired:
                self.drv.kill()
                self.drv.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Idle:
    """The browsers no test is using, by window size; stop() quits them
    (run.py's lane b lists it with the servers it stops on the way out)."""

    def __init__(self):
        self.by_size = {}

    def take(self, size):
        kept = self.by_size.get(size)
        return kept.pop() if kept else None

    def give(self, browser):
        self.by_size.setdefault(browser.size, []).append(browser)

    def stop(self):
        for kept in self.by_size.values():
            while kept:
                kept.pop().quit()


IDLE = Idle()
atexit.register(IDLE.stop)


def webdriver(base, method, path, body=None, timeout=60):
    req = urllib.request.Request(
        base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())["value"]
    except urllib.error.HTTPError as e:
        raise AssertionError(f"WebDriver {method} {path}: {e.read()[:500]!r}")


class Chromium:
    """A test's browser: a Browser from IDLE (or a new one) showing one new
    tab, with nothing kept of the test before it: its tabs closed (and
    with them each tab's emulation, injected scripts and sessionStorage),
    cookies, cache and the storage of every origin it opened deleted.
    A browser whose test failed or changed what is not reset so (a
    permission) is quit, not lent again."""

    def __init__(self, env, name, width=1000, height=900):
        if not available():
            raise Skipped("chromium and chromium-driver are not installed "
                          "(apt-get install chromium chromium-driver, or make deps)")
        self.out = os.path.join(env.base, "browser", name)
        os.makedirs(self.out, exist_ok=True)
        self.logdir = os.path.join(env.base, "browser")
        self.size = (width, height)
        self.browser = None
        self.lend_again = True
        self.origins = set()

    def __enter__(self):
        lent = IDLE.take(self.size)
        if lent and not lent.alive():
            lent.quit()
            lent = None
        self.browser = lent or Browser(self.size, self.logdir)
        self.base, self.sid = self.browser.base, self.browser.sid
        try:
            self.cdp("Page.enable")
            # Focused, as a new browser's first tab is (a tab opened later
            # is not until a click or a key reaches it).
            self.cdp("Page.bringToFront")
            self.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
        except BaseException:
            browser, self.browser = self.browser, None
            browser.quit()          # not lent again: it failed to start a test
            raise
        return self

    def __exit__(self, exc_type, *exc):
        browser, self.browser = self.browser, None
        if browser is None:
            return
        if exc_type is None and self.lend_again:
            try:
                self.forget()
                IDLE.give(browser)
                return
            except Exception as e:
                print(f"    the browser could not be reset for the next test, quit: {e!r}")
        browser.quit()

    def forget(self):
        """One new tab, the others closed; cookies, cache and the storage of
        every origin a tab's history holds or go() opened deleted."""
        handles = self.s("GET", "/window/handles")
        for h in handles:
            self.switch(h)
            self.note_history()
        fresh = self.s("POST", "/window/new", {"type": "tab"})["handle"]
        for h in handles:
            self.switch(h)
            self.s("DELETE", "/window")
        self.switch(fresh)
        self.cdp("Network.clearBrowserCookies")
        self.cdp("Network.clearBrowserCache")
        for origin in self.origins:
            self.cdp("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        check(self.s("GET", "/window/handles") == [fresh], "one tab left")

    # ---- WebDriver ----

    def call(self, method, path, body=None, timeout=60):
        return webdriver(self.base, method, path, body, timeout)

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def cdp(self, cmd, params=None):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params or {}})

    def note_history(self):
        """The origins of every page the current tab showed (reached by a
        redirect or a link too), for forget()."""
        for e in self.cdp("Page.getNavigationHistory").get("entries", []):
            self.note_origin(e.get("url", ""))

    def note_origin(self, url):
        p = urllib.parse.urlsplit(url)
        if p.scheme in ("http", "https"):
            self.origins.add(f"{p.scheme}://{p.netloc}")

    def go(self, url):
        self.note_origin(url)
        self.s("POST", "/url", {"url": url})

    def refresh(self):
        self.s("POST", "/refresh", {})

    def back(self):
        self.s("POST", "/back", {})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css):
        v = self.s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def point(self, css):
        """The mouse pointer moved onto the middle of the element, as a
        person rests it there (:hover, mouseenter)."""
        self.s("POST", "/actions", {"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "x": 0, "y": 0, "origin": {
                "element-6066-11e4-a52e-4f735466cecf": self.find(css)}}]}]})

    def active(self):
        return next(iter(self.s("GET", "/element/active").values()))

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css, text):
        """Keys typed into the element, as a person types them (chromedriver
        types BMP characters only)."""
        self.s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def keys(self, text):
        """Keys typed into whatever has the focus."""
        self.s("POST", f"/element/{self.active()}/value", {"text": text})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, what, timeout=15, *args):
        """Until script returns something true.  A script that throws counts
        as not yet: between two documents (a redirect back from the Naver
        double) the element it reads is not there for a moment; the last
        error is told if the time runs out."""
        deadline = time.monotonic() + timeout
        error = None
        while time.monotonic() < deadline:
            try:
                v = self.js(script, *args)
            except AssertionError as e:
                if '"javascript error"' not in str(e):
                    raise
                v, error = None, e
            if v:
                return v
            time.sleep(0.05)
        where = self.js("return location.href + ' ' + (document.body || {}).className + ' | ' +"
                        " (document.getElementById('status') || {}).textContent")
        raise AssertionError(f"timed out waiting for {what}; page: {where}; "
                             f"problems: {self.problems()}"
                             + (f"; the script's last error: {error}" if error else ""))

    def text(self, css):
        return self.js("var e = document.querySelector(arguments[0]);"
                       "return e ? e.textContent : null;", css)

    def problems(self):
        return self.js("return window.__problems || ['no watcher in this page'];")

    def new_tab(self):
        """Open a tab and switch to it (same profile: same cookies)."""
        h = self.s("POST", "/window/new", {"type": "tab"})["handle"]
        self.switch(h)
        self.cdp("Page.enable")
        self.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
        return h

    def close_tab(self):
        """Close the current tab as a person does (its page gets pagehide);
        switch() to another one after."""
        self.note_history()
        self.s("DELETE", "/window")

    def switch(self, handle):
        self.s("POST", "/window", {"handle": handle})

    def handle(self):
        return self.s("GET", "/window")

    # ---- emulation ----

    def viewport(self, width, height, mobile=False):
        self.cdp("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": mobile})

    def scheme(self, value):
        """"light" or "dark": prefers-color-scheme."""
        self.cdp("Emulation.setEmulatedMedia",
                 {"features": [{"name": "prefers-color-scheme", "value": value}]})
        # The page's colour transitions (0.15 s) run out: reading the
        # animations makes the new scheme's styles apply first.
        self.wait("return document.getAnimations().length === 0",
                  f"the {value} scheme's colour transitions done", 5)

    def touch(self, on):
        self.cdp("Emulation.setTouchEmulationEnabled",
                 {"enabled": on, "maxTouchPoints": 5 if on else 1})

    def scripts(self, on):
        self.cdp("Emulation.setScriptExecutionDisabled", {"value": not on})

    def timezone(self, tz):
        """The time zone the pages see ("Asia/Seoul"), across navigations;
        set it before a page makes its Intl.DateTimeFormat objects."""
        self.cdp("Emulation.setTimezoneOverride", {"timezoneId": tz})

    def permission(self, name, state):
        """A permission ("clipboard-read", "clipboard-write") of the current
        page's origin: "granted", "denied" or "prompt" (the WebDriver
        extension of W3C Permissions).  Chromium lets a click write the
        clipboard unless clipboard-write is denied; reading it back takes
        clipboard-read."""
        self.lend_again = False     # kept by the browser, not by a tab
        self.s("POST", "/permissions", {"descriptor": {"name": name}, "state": state})

    def screenshot(self, name):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        check(png.startswith(b"\x89PNG") and len(png) > 5000, f"screenshot {name}")
        path = os.path.join(self.out, name + ".png")
        with open(path, "wb") as f:
            f.write(png)
        return path

    # ---- the app ----

    def login(self, base, name):
        """Through the page's 네이버 로그인 button and the Naver double's
        form, as a person logs in."""
        self.go(base)
        self.wait("return document.body.classList.contains('guest')", "the guest page")
        self.click("#login")
        self.wait("return !!document.getElementById('name')", "the provider's form")
        self.type("#name", name)
        self.click("#login")
        self.wait("return document.body.classList.contains('user')", "the user's page")
