"""test_browser.py - the page in a real browser: Debian's headless Chromium
driven through chromedriver's WebDriver HTTP API (W3C), with the standard
library only (nothing downloads a browser).

Logs in through the development provider's form, writes an HTML-injection
memo and a Korean one with an emoji, reloads, and checks both show as
literal text with no script run; saves a screenshot of the logged-in page
under the test output directory; logs out."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import stack
from lib import check, eq, naver_id, test

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
XSS = "<img src=x onerror=\"document.title='pwned'\">"
KOREAN = "한국어 메모 ✍ 이모지 😀🍜 끝"
NAME = "브라우저 사용자"


class WebDriver:
    """Just the WebDriver commands the test needs."""

    def __init__(self, base, profile):
        self.base = base
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1000,900", f"--user-data-dir={profile}"]}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None, timeout=60):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError(f"WebDriver {method} {path}: {e.read()[:500]!r}")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, css):
        v = self.s("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css, text):
        self.s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, what, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = self.js(script)
            if v:
                return v
            time.sleep(0.1)
        where = self.js("return location.href + ' ' + document.body.className")
        raise AssertionError(f"timed out waiting for {what}; page: {where}")

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.sid}", timeout=20)
        except Exception:
            pass


LIST = ("return Array.from(document.querySelectorAll('#memos li .text'))"
        ".map(function (e) { return e.textContent; });")
COUNT = "return document.querySelectorAll('#memos li .text').length === %d;"


@test
def real_browser(env):
    """Headless Chromium: log in via the dev provider, HTML and Korean+emoji memos show as text, no script runs, log out"""
    check(os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER),
          "chromium and chromium-driver are installed (make deps)")
    out = os.path.join(env.base, "browser")
    os.makedirs(out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="memo-chromium-")
    port = stack.free_port()
    log = open(os.path.join(out, "chromedriver.log"), "wb")
    drv = subprocess.Popen([CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
                           stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                           start_new_session=True)
    wd = None
    try:
        stack.wait_for(stack.listening_by(port, drv.pid), "chromedriver", proc=drv)
        wd = WebDriver(f"http://127.0.0.1:{port}", profile)
        wd.go(env.web.url)
        wd.wait("return document.body.classList.contains('guest')", "the guest page")
        wd.click("#login")
        wd.wait("return !!document.getElementById('name')", "the provider's form")
        check(wd.js("return location.href").startswith(env.naver.url), "on the provider")
        wd.type("#name", NAME)
        wd.click("#login")
        wd.wait("return document.body.classList.contains('user')", "the user's page")
        title = wd.js("return document.title")
        eq(title, f"{NAME}님의 메모장", "title after login")
        # The HTML one is typed key by key; the Korean one is set through
        # the DOM because chromedriver cannot type characters outside the
        # BMP (the emoji).
        wd.type("#memo-text", XSS)
        wd.click("#memo-save")
        wd.wait(COUNT % 1, "the first memo")
        wd.js("var t = document.getElementById('memo-text'); t.value = arguments[0];"
              "t.dispatchEvent(new Event('input'));", KOREAN)
        wd.click("#memo-save")
        wd.wait(COUNT % 2, "the second memo")
        wd.s("POST", "/refresh", {})
        wd.wait(COUNT % 2, "the list after reload")
        eq(wd.js(LIST), [KOREAN, XSS], "both memos as literal text, newest first")
        eq(wd.js("return document.querySelectorAll('#memos img, #memos script').length"), 0,
           "no element made from a memo")
        eq(wd.js("return document.title"), title, "document.title unchanged: no script ran")
        png = base64.b64decode(wd.s("GET", "/screenshot"))
        shot = os.path.join(out, "logged-in.png")
        with open(shot, "wb") as f:
            f.write(png)
        check(png.startswith(b"\x89PNG") and len(png) > 5000, "a screenshot")
        uid = naver_id(NAME)
        eq(sorted(r[0] for r in env.db.query(f"SELECT text FROM memo WHERE user_id = '{uid}'")),
           sorted([XSS, KOREAN]), "the rows as typed")
        wd.click("#logout button")
        wd.wait("return document.body.classList.contains('guest')", "the guest page after logout")
        check(wd.js("var a = document.getElementById('login');"
                    "return !!a && a.offsetParent !== null;"), "the login button shows")
        print(f"    saw: title {title!r}, memos {wd.js(LIST) or 'hidden after logout'}, "
              f"screenshot {os.path.relpath(shot, env.base)} ({len(png)} bytes)")
    finally:
        if wd:
            wd.quit()
        if drv.poll() is None:
            drv.terminate()
            try:
                drv.wait(10)
            except subprocess.TimeoutExpired:
                drv.kill()
                drv.wait()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
