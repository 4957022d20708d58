"""test_account_page.py - the page's 계정 view in headless Chromium, used as
a person uses it: what the account holds, exporting (JSON and Markdown),
importing a file (and a bad one), ending another device's session, logging
out everywhere, and withdrawal (탈퇴) cancelled in the page, cancelled at
Naver, and done - each followed by a look at the screen AND at the rows in
the database.  Served under /memo/ like test_page.py's, in CGI mode and
again in FastCGI mode ("[fastcgi] …", tests/run.py); every page must run
without a script error or a Content-Security-Policy violation."""
import hashlib
import json
import os
import re
import tempfile
import urllib.parse

from chromium import Chromium
from lib import Browser, check, code_for, eq, naver_id, start_login, test
from test_account import TABLES, fill, rows_of
from test_api import import_gate_held
from test_page import CONTRAST, FAIL_LATE, FOCUSED, SLOW_OR_LOST

OTHER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101"
            " Firefox/125.0")
SUMMARY = "return document.getElementById('account-summary').textContent"
SESSIONS = ("return Array.from(document.querySelectorAll('#sessions li'))"
            ".map(function (li) { return li.querySelector('strong').textContent +"
            " (li.querySelector('.badge') ? ' *' : ''); });")


def device(env, name, ua=OTHER_UA):
    """Another device of the user: a client logged in with its own
    User-Agent (through the /memo/ mount, as the page)."""
    b = Browser(env.web_prefix.url)
    state, _ = start_login(b)
    r = b.get("/auth?" + urllib.parse.urlencode({"code": code_for(name), "state": state}),
              headers={"User-Agent": ua})
    eq(r.status, 302, f"login of {name}'s other device")
    return b


def account_view(wd, env, name):
    """Log in through the page and open the 계정 tab."""
    wd.login(env.web_prefix.url, name)
    wd.wait("return !!document.querySelector(\"#nav a[data-view='account']\")", "the tabs")
    wd.click("#nav a[data-view='account']")
    wd.wait("return !document.getElementById('view-account').hidden && "
            "document.querySelectorAll('#sessions li').length > 0", "the 계정 view")
    check(wd.url().endswith("#view=account"), wd.url())


def drafts_of(wd, user_id):
    """Whose drafts this browser keeps: "mine" (user_id's, under the opaque
    id index.cgi names: SHA-256 of "memo-user/" and the id), or "other"."""
    me = hashlib.sha256(("memo-user/" + user_id).encode()).hexdigest()
    return wd.js("return Object.keys(localStorage).filter(function (k) {"
                 " return k.indexOf('memo.drafts.v1:') === 0; }).map(function (k) {"
                 f" return k.slice(-65) === ':{me}' ? 'mine' : 'other'; }}).sort();")


def no_problems(wd, what):
    eq(wd.problems(), [], f"script errors or CSP violations ({what})")


def confirm(wd, yes=True):
    wd.wait("return document.getElementById('dialog').open", "the dialog")
    wd.click("#dialog-actions button" + (".danger, #dialog-actions button.primary"
                                          if yes else ".secondary"))


def fetch(wd, url):
    """GET url from the page (its cookies): [status, type, disposition, length]."""
    return wd.s("POST", "/execute/async", {"script": """
        var done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(function (r) {
          return r.text().then(function (t) {
            done([r.status, r.headers.get('Content-Type'),
                  r.headers.get('Content-Disposition'), t.length]); }); });""",
                                           "args": [url]})


@test
def account_withdraw_question_not_stale(env):
    """Page 계정: 탈퇴하기 pressed while the view is read again names no count from the last visit (it said "메모 0개" of an account that has memos now); pressed again while on its way to Naver, nothing more is sent"""
    name = "페이지 탈퇴 묵은 수"
    with Chromium(env, "account-stale") as wd:
        account_view(wd, env, name)
        eq(wd.js("return document.getElementById('account-summary').textContent"
                 ".indexOf('메모 0개') >= 0"), True, "none yet")
        wd.click("#nav a[data-view='memos']")
        b = Browser(env.web_prefix.url)
        b.cookies["sessionId"] = wd.s("GET", "/cookie/sessionId")["value"]
        for n in range(2):
            eq(b.post_json("/memo", {"text": f"나중에 쓴 {n}"}).status, 200, "written elsewhere")
        wd.js(SLOW_OR_LOST, "GET", "late")
        wd.click("#nav a[data-view='account']")
        wd.click("#withdraw")
        wd.wait("return document.getElementById('dialog').open", "the question")
        text = wd.text("#dialog-content")
        check("모든 메모" in text and "0개" not in text, f"no count of the last visit: {text}")
        confirm(wd, yes=False)
        wd.js("window.fetch = window.__f0")
        wd.wait("return document.getElementById('account-summary').textContent"
                ".indexOf('메모 2개') >= 0", "read again")
        # On its way to Naver: a second 탈퇴하기 opens nothing, sends nothing.
        wd.js(SLOW_OR_LOST, "POST", "late")
        wd.click("#withdraw")
        confirm(wd)
        wd.wait("return window.__slowAsked === 1", "sent")
        wd.click("#withdraw")
        eq(wd.js("return document.getElementById('dialog').open"), False, "no second question")


@test
def page_account_sessions_and_export(env):
    """Page 계정: name and counts, the sessions of both devices (this one marked), the export links download JSON and Markdown, ending the other device's session logs it out"""
    name = "계정 화면"
    other = device(env, name)
    fill(other)
    with Chromium(env, "account") as wd:
        account_view(wd, env, name)
        wd.wait(SUMMARY + ".indexOf('메모 3개 · 휴지통의 메모 2개') >= 0", "the counts")
        check(wd.js(SUMMARY).startswith(f"{name}님"), wd.js(SUMMARY))
        check(re.search(r"가입 \d{4}년 \d{1,2}월 \d{1,2}일$", wd.js(SUMMARY)),
              f"the join date, a date even today: {wd.js(SUMMARY)}")
        eq(sorted(wd.js(SESSIONS)), ["Chrome · Linux *", "Firefox · Windows"],
           "both devices, this one marked")
        eq(wd.js("return [document.getElementById('export-json').getAttribute('href'),"
                 " document.getElementById('export-md').getAttribute('href'),"
                 " document.getElementById('export-json').hasAttribute('download')]"),
           ["export", "export?format=md", True], "relative download links")
        got = fetch(wd, "export")
        eq(got[:2], [200, "application/json; charset=utf-8"], "the JSON download")
        check(got[2].startswith('attachment; filename="memo-') and got[2].endswith('.json"'),
              got[2])
        got = fetch(wd, "export?format=md")
        eq(got[:2], [200, "text/markdown; charset=utf-8"], "the Markdown download")
        check(got[2].startswith('attachment; filename="memo-') and got[2].endswith('.md"'),
              got[2])
        wd.screenshot("account")
        for scheme in ("dark", "light"):
            wd.scheme(scheme)
            eq(wd.js(CONTRAST), [], f"text contrast: 계정, {scheme}")
        wd.click("#sessions li:not(.current) button.end")
        confirm(wd)
        wd.wait("return document.querySelectorAll('#sessions li').length === 1",
                "one session left")
        check("에서 로그아웃했습니다" in wd.text("#status"), wd.text("#status"))
        # The focus its 로그아웃 button had, gone with the list drawn anew,
        # is on 모든 기기에서 로그아웃 (no other device's button is left).
        wd.wait("return document.activeElement.id === 'logout-all-go'",
                "the focus on 모든 기기에서 로그아웃, not lost")
        eq(other.get("/memo").status, 401, "the other device is logged out")
        eq(rows_of(env, naver_id(name))["sessions"], 1, "one session row")
        no_problems(wd, "계정")


@test
def page_account_import(env):
    """Page 계정: importing an exported file adds its memos (again: all skipped); a bad file says what is wrong and adds nothing; so does one while another import runs (409), whose file stays chosen to try again"""
    src = device(env, "가져올 원본")
    fill(src)
    export = src.get("/export")
    eq(export.status, 200, "the source's export")
    name = "가져오는 화면"
    tmp = tempfile.mkdtemp(prefix="memo-import-")
    good, bad = os.path.join(tmp, "memo.json"), os.path.join(tmp, "bad.json")
    fresh = os.path.join(tmp, "fresh.json")
    with open(good, "wb") as f:
        f.write(export.body)
    with open(bad, "w") as f:
        json.dump({"format": "memo-export", "version": 1,
                   "memos": [{"text": "날짜 없음"}]}, f)
    # For the import refused while another runs: a memo not there yet (the
    # good file's are all there by then, and would only be skipped).
    with open(fresh, "w") as f:
        json.dump({"format": "memo-export", "version": 1, "memos": [
            {"text": "진행 중에 가져오려던 메모", "created_at": "2024-01-01T00:00:00Z"}]}, f)
    uid = naver_id(name)
    with Chromium(env, "account-import") as wd:
        account_view(wd, env, name)
        for want in ("메모 5개를 가져왔습니다.", "메모 0개를 가져왔습니다. 이미 있던 메모 5개는"):
            wd.type("#import-file", good)
            wd.click("#import-go")
            wd.wait("return document.getElementById('status').textContent"
                    ".indexOf(arguments[0]) >= 0", f"the answer: {want}", 30, want)
            wd.wait(SUMMARY + ".indexOf('메모 3개 · 휴지통의 메모 2개') >= 0", "the new counts")
            eq(wd.js(FOCUSED), ["primary", "가져오기", False],
               "the focus back on 가져오기, on again")
        eq(rows_of(env, uid)["memo"], 5, "five memo rows")
        wd.type("#import-file", bad)
        wd.click("#import-go")
        wd.wait("return document.getElementById('status').className === 'error'",
                "the refusal")
        msg = wd.text("#status")
        eq(msg, "가져오지 못했습니다: 1번째 메모의 작성 시각(created_at) 값이 없습니다."
           " 아무것도 가져오지 않았습니다.", "what is wrong and where, in Korean")
        eq(rows_of(env, uid)["memo"], 5, "nothing added")
        with import_gate_held(env, uid):
            wd.type("#import-file", fresh)
            wd.click("#import-go")
            wd.wait("return document.getElementById('status').textContent.indexOf("
                    "'다른 가져오기가 아직 진행 중입니다') >= 0", "the refusal (409)")
        eq(rows_of(env, uid)["memo"], 5, "nothing added while another import runs")
        # The file stays chosen, to try again once the other is done.
        wd.click("#import-go")
        wd.wait("return document.getElementById('status').textContent"
                ".indexOf('메모 1개를 가져왔습니다.') >= 0", "tried again: imported")
        eq(rows_of(env, uid)["memo"], 6, "the memo added")
        wd.click("#import-go")
        check("먼저 골라" in wd.text("#status"), "no file chosen")
        no_problems(wd, "가져오기")


@test
def page_logout_everywhere(env):
    """Page 계정: 모든 기기에서 로그아웃, confirmed, logs out this browser and the other device"""
    name = "모든 기기 화면"
    other = device(env, name)
    with Chromium(env, "account-logout") as wd:
        account_view(wd, env, name)
        wd.click("#logout-all-go")
        confirm(wd, yes=False)
        eq(rows_of(env, naver_id(name))["sessions"], 2, "cancelled: still two")
        wd.click("#logout-all-go")
        confirm(wd)
        wd.wait("return document.body.classList.contains('guest')", "the guest page")
        no_problems(wd, "after logout")
    eq(other.get("/memo").status, 401, "the other device too")
    eq(rows_of(env, naver_id(name))["sessions"], 0, "no session row")


@test
def page_withdraw(env):
    """Page 탈퇴: cancelled in the dialog; its POST failing (503: said so, still here); cancelled at Naver (back to 계정, nothing deleted); then confirmed at Naver's consent page: the done page, which has the browser forget the person's unsaved drafts (not another's), and no row of the user left; a draft another browser kept is not the new account's"""
    name = "탈퇴 화면"
    other = device(env, name)
    fill(other)
    uid = naver_id(name)
    with Chromium(env, "account-withdraw") as wd:
        account_view(wd, env, name)
        # An unsaved draft of this person's (as typing keeps it), and one
        # of somebody else who uses this browser: the done page forgets
        # the first (a new login with the same Naver account starts an
        # empty account), not the second.
        wd.js("Memo.drafts.setFresh('탈퇴 전에 쓰던 글');"
              " localStorage.setItem('memo.drafts.v1:' + location.pathname + ':' +"
              " 'ab'.repeat(32), '{\"tabs\":{}}');")
        eq(drafts_of(wd, uid), ["mine", "other"], "the drafts kept before")
        kept = wd.js("return Object.keys(localStorage).filter(function (k) {"
                     " return k.slice(-65) === ':' + document.body.dataset.user; })"
                     ".map(function (k) { return [k, localStorage.getItem(k)]; })[0]")
        before = rows_of(env, uid)
        wd.click("#withdraw")
        wd.wait("return document.getElementById('dialog-content').textContent"
                ".indexOf('메모 3개와 휴지통의 메모 2개') >= 0", "the dialog says what goes")
        confirm(wd, yes=False)
        check(wd.url().endswith("#view=account"), "still here")
        wd.js(FAIL_LATE, "POST", "login?intent=withdraw")
        wd.click("#withdraw")
        confirm(wd)
        wd.wait("return document.getElementById('status').textContent.indexOf("
                "'탈퇴를 시작하지 못했습니다. 서버가 데이터베이스에') === 0", "the failure said")
        check(wd.url().endswith("#view=account"), "still here after the failure")
        eq(rows_of(env, uid), before, "nothing deleted")
        wd.js("window.fetch = window.__f0")
        for cancel_at_naver in (True, False):
            wd.click("#withdraw")
            confirm(wd)
            wd.wait("return !!document.getElementById('reprompt')",
                    "Naver's consent page, shown again")
            if cancel_at_naver:
                wd.click("#cancel")
                wd.wait("return document.getElementById('status').textContent"
                        ".indexOf('탈퇴를 취소했습니다') >= 0", "back in 계정")
                check(wd.url().endswith("#view=account"), wd.url())
                eq(rows_of(env, uid), before, "nothing deleted")
                no_problems(wd, "cancelled")
            else:
                wd.type("#name", name)
                wd.click("#login")
                wd.wait("return document.body.textContent.indexOf('탈퇴가 완료되었습니다')"
                        " >= 0", "the done page")
        wd.screenshot("withdrawn")
        no_problems(wd, "the done page")
        eq(drafts_of(wd, uid), ["other"], "the done page forgot this person's drafts")
        wd.go(env.web_prefix.url)
        wd.wait("return document.body.classList.contains('guest')", "a guest again")
    eq(rows_of(env, uid), {t: 0 for t in TABLES}, "no row of the user in any table")
    eq(other.get("/memo").status, 401, "the other device is logged out")
    # Another browser that kept the same draft (its entry as it was): a
    # login there with the same Naver account starts the new account
    # without it (the entry names the account's creation, data-since).
    with Chromium(env, "account-withdraw-elsewhere") as wd:
        wd.go(env.web_prefix.url)
        wd.wait("return document.body.classList.contains('guest')", "the guest page")
        wd.js("var v = JSON.parse(arguments[1]);"    # its tab long closed
              " Object.keys(v.tabs).forEach(function (t) { v.tabs[t].seen = 0; });"
              " localStorage.setItem(arguments[0], JSON.stringify(v));", *kept)
        wd.login(env.web_prefix.url, name)
        wd.wait("return !!document.querySelector(\"#nav a[data-view='account']\")",
                "the page started")
        eq(wd.js("return document.getElementById('memo-text').value"), "",
           "the withdrawn account's draft is not the new one's")
        eq(drafts_of(wd, uid), [], "and is dropped")
        no_problems(wd, "the new account")
