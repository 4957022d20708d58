"""test_browser.py - the smoke test of the page in a real browser (Debian's
headless Chromium through chromedriver: tests/chromium.py), mounted at /.
Every action of the page is in test_page.py.

Logs in through the development provider's form, writes an HTML-injection
memo and a Korean one with an emoji, reloads, and checks both show as
literal text with no script run; saves a screenshot of the logged-in page
under the test output directory; logs out."""
import os

from chromium import Chromium
from lib import check, eq, naver_id, page_logic, test

XSS = "<img src=x onerror=\"document.title='pwned'\">"
KOREAN = "한국어 메모 ✍ 이모지 😀🍜 끝"
NAME = "브라우저 사용자"


LIST = ("return Array.from(document.querySelectorAll('#memos li .body'))"
        ".map(function (e) { return e.textContent; });")
COUNT = "return document.querySelectorAll('#memos li .body').length === %d;"


@test
def real_browser(env):
    """Headless Chromium: log in via the dev provider, HTML and Korean+emoji memos show as text, no script runs, log out"""
    with Chromium(env, "smoke") as wd:
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
        wd.refresh()
        wd.wait(COUNT % 2, "the list after reload")
        eq(wd.js(LIST), [KOREAN, XSS], "both memos as literal text, newest first")
        eq(wd.js("return document.querySelectorAll('#memos img, #memos script').length"), 0,
           "no element made from a memo")
        eq(wd.js("return document.title"), title, "document.title unchanged: no script ran")
        shot = wd.screenshot("logged-in")
        uid = naver_id(NAME)
        eq(sorted(r[0] for r in env.db.query(f"SELECT text FROM memo WHERE user_id = '{uid}'")),
           sorted([XSS, KOREAN]), "the rows as typed")
        eq(wd.problems(), [], "no script error or CSP violation")
        wd.click("#logout button")
        wd.wait("return document.body.classList.contains('guest')", "the guest page after logout")
        check(wd.js("var a = document.getElementById('login');"
                    "return !!a && a.offsetParent !== null;"), "the login button shows")
        eq(env.db.query(f"SELECT COUNT(*) FROM sessions WHERE user_id = '{uid}'"), [["0"]],
           "the session row gone: logged out on the server, not only in the page")
        print(f"    saw: title {title!r}, memos {wd.js(LIST) or 'hidden after logout'}, "
              f"screenshot {os.path.relpath(shot, env.base)} ({os.path.getsize(shot)} bytes)")


@test
@page_logic
def browser_lent_again(env):
    """The harness: a browser lent to the next test keeps nothing of the last (one new tab, focused as a new browser's is; no cookie, localStorage or sessionStorage on either server's origin, nor on the login provider's, reached by a redirect; no time zone or script the last one set), and one whose test failed is quit, not lent again"""
    with Chromium(env, "lent-1") as wd:
        first = wd.sid
        wd.go(env.web.url)
        wd.wait("return document.body.classList.contains('guest')", "the guest page")
        wd.click("#login")
        wd.wait("return !!document.getElementById('name')", "the provider's form")
        wd.js("localStorage.setItem('left', '3')")      # an origin go() never opened
        wd.type("#name", "빌려 쓰는 브라우저")
        wd.click("#login")
        wd.wait("return document.body.classList.contains('user')", "the user's page")
        wd.js("localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1');")
        wd.go(env.web_prefix.url)
        wd.js("localStorage.setItem('left', '2'); sessionStorage.setItem('left', '2');")
        check(wd.s("GET", "/cookie"), "the session's cookie, to be forgotten")
        wd.new_tab()
        wd.timezone("Pacific/Kiritimati")
        wd.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": "window.__left = 1;"})
        wd.go(env.web.url)
        eq(wd.js("return [window.__left, localStorage.getItem('left'),"
                 " Intl.DateTimeFormat().resolvedOptions().timeZone]"),
           [1, "1", "Pacific/Kiritimati"], "what the next test must not see, seen here")
    with Chromium(env, "lent-2") as wd:
        eq(wd.sid, first, "the same browser, lent again")
        eq(len(wd.s("GET", "/window/handles")), 1, "one tab")
        wd.go(env.naver.url)
        eq(wd.js("return [localStorage.length, document.hasFocus()]"), [0, True],
           "nothing kept at the provider's origin; the tab has the focus")
        seen = []
        for base in (env.web.url, env.web_prefix.url):
            wd.go(base)
            wd.wait("return document.body.classList.contains('guest')",
                    f"the guest page at {base}: no session")
            eq(wd.s("GET", "/cookie"), [], f"no cookie at {base}")
            seen.append(wd.js("return [localStorage.length, sessionStorage.length,"
                              " window.__left === undefined,"
                              " Intl.DateTimeFormat().resolvedOptions().timeZone]"))
        for got in seen:
            eq(got[:3], [0, 0, True], "no storage, no script of the test before")
            check(got[3] != "Pacific/Kiritimati", f"the time zone not the one set ({got[3]})")
    try:
        with Chromium(env, "lent-3") as wd:
            failed = wd.sid
            raise RuntimeError("a test failing")
    except RuntimeError:
        pass
    with Chromium(env, "lent-4") as wd:
        check(wd.sid != failed, "the failed test's browser quit, a new one started")
    print(f"    saw: at {env.web.url} and {env.web_prefix.url} after the test before: {seen}")
