"""test_page.py - the memo page in headless Chromium, used as a person uses
it: every action of issue 13 (edit in place, conflicts between two tabs,
history, delete and undo, the trash, pins, tags, search, checklists and
links, paging over 300 memos, drafts across an expired session, Korean
IME composition, no JavaScript, touch, keyboard), each followed by a look
at the screen AND at the rows in the database.

The page is served under a mount prefix (env.web_prefix, /memo/), so every
URL it uses must be relative.  run.py runs this module against lighttpd in
CGI mode and again in FastCGI mode ("[fastcgi] …").  Screenshots of the
main views (1280 px and 390 px, light and dark, 300 memos) are saved
under var/test/browser/screens/ in CGI mode.  Each browser test also
requires that the page ran without a script error, an unhandled promise
rejection or a Content-Security-Policy violation."""
import concurrent.futures
import datetime
import json
import os
import re
import tempfile
import time
import unicodedata
import urllib.parse

from chromium import KEY, Chromium
from lib import Browser, check, eq, login, naver_id, page_logic, settings, test

HTDOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "htdocs")
CTRL_ENTER = KEY["ctrl"] + KEY["enter"] + KEY["null"]

# ---- what the page shows ----

CARDS = ("return Array.from(document.querySelectorAll("
         "'#view-memos li.memo:not(.editing) > .body')).map(function (e) {"
         " return e.textContent; });")
LOADED = ("return !document.getElementById('view-memos').hasAttribute('aria-busy')"
          " && document.getElementById('count').textContent !== ''")
TAG_BAR_HIDDEN = "return document.getElementById('tags').hidden"
# Settles after the next animation frame's work (a dialog's close event
# is dispatched there): WebDriver waits for a promise a script returns.
NEXT_FRAME = ("return new Promise(function (ok) { requestAnimationFrame(function () {"
              " setTimeout(function () { ok(true); }, 0); }); })")
# Whether the memo card arguments[0] (a selector) shows a conflict.
CONFLICT_SHOWN = "return !!document.querySelector(arguments[0] + ' .conflict:not([hidden])')"


def card(memo_id, part=""):
    return f"#memo-{memo_id} {part}".strip()


# The new-memo box emptied as a person would (its draft goes too).
CLEAR_NEW_MEMO = ("var t = document.getElementById('memo-text'); t.value = '';"
                  " t.dispatchEvent(new Event('input', {bubbles: true}));")


def status(wd):
    return wd.text("#status")


def no_problems(wd, what):
    eq(wd.problems(), [], f"script errors or CSP violations ({what})")


# ---- what the database holds ----

def q(env, sql):
    return env.db.query(sql)


def unhex(h):
    return bytes.fromhex(h).decode("utf-8")


def memos(env, name, where="1=1"):
    """{id: (text, pinned, in_trash)} of the user's memos."""
    rows = q(env, "SELECT id, HEX(text), pinned, deleted_at IS NOT NULL FROM memo"
                  f" WHERE user_id = '{naver_id(name)}' AND {where} ORDER BY id")
    return {int(r[0]): (unhex(r[1]), r[2] == "1", r[3] == "1") for r in rows}


def settled(fn, want, what, timeout=10):
    """eq(fn(), want) once it holds or timeout s have passed: the page
    shows some changes (a card gone) before the server has answered."""
    deadline = time.monotonic() + timeout
    while fn() != want and time.monotonic() < deadline:
        time.sleep(0.05)
    eq(fn(), want, what)


def text_of(env, memo_id):
    return unhex(q(env, f"SELECT HEX(text) FROM memo WHERE id = {int(memo_id)}")[0][0])


def revisions(env, memo_id):
    return [unhex(r[0]) for r in q(env, "SELECT HEX(text) FROM memo_revision"
                                        f" WHERE memo_id = {int(memo_id)} ORDER BY id")]


def api(env, name):
    """A second client of the same user (its own session), for setting up."""
    b = Browser(env.web_prefix.url)
    eq(login(b, name).status, 302, f"API login of {name}")
    return b


def post(b, text, pinned=None):
    body = {"text": text}
    if pinned is not None:
        body["pinned"] = pinned
    r = b.post_json("/memo", body)
    eq(r.status, 200, f"POST {text[:20]!r}")
    return r.json()["id"]


KST = datetime.timezone(datetime.timedelta(hours=9))


def purge_note(deleted_at, days):
    """What the trash view says of a memo deleted at deleted_at (the API's
    UTC stamp) when memos stay `days` days, in the page's time zone (the
    tests' Chromium: Asia/Seoul, KST all year)."""
    at = datetime.datetime.strptime(deleted_at, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    d = (at + datetime.timedelta(days=days)).astimezone(KST)
    return f"{d.year}년 {d.month}월 {d.day}일 이후 영구 삭제"


def backdate(env, name, hours):
    """Make the user's memos look written earlier (so an edit shows 수정됨)."""
    env.db.client(database="memo", stdin=(
        f"UPDATE memo SET created_at = created_at - INTERVAL {int(hours)} HOUR"
        f" WHERE user_id = '{naver_id(name)}'"))


def open_page(wd, env, name):
    wd.login(env.web_prefix.url, name)
    wd.wait(LOADED, "the memo list")


def write(wd, text):
    """Type a new memo and save it with Ctrl+Enter."""
    wd.type("#memo-text", text)
    wd.keys(CTRL_ENTER)


# fetch answers 503 (or the status arguments[2]) to a request of method
# arguments[0] whose URL has arguments[1], after 300 ms (a button turned
# off meanwhile loses the focus); window.__f0 is the real fetch.
FAIL_LATE = ("window.__f0 = window.fetch; var m = arguments[0], part = arguments[1];"
             " var code = arguments[2] || 503;"
             "window.fetch = function (u, i) {"
             " if (!i || i.method !== m || String(u).indexOf(part) < 0)"
             "  return window.__f0(u, i);"
             " return new Promise(function (ok) { setTimeout(ok, 300); }).then(function () {"
             "  return new Response(JSON.stringify({error: 'database unavailable'}),"
             "   {status: code, headers: {'Content-Type': 'application/json'}}); }); };")
# fetch sends a request of method arguments[0] as it is, and: "late", its
# answer comes 1.5 s late (a slow phone network); "lost", the server gets
# it but its answer never comes back (the network failed after);
# "unsent", it never leaves (the network down before it).  window.__f0
# is the fetch before, for the test to put back; window.__slowAsked and
# window.__slowAnswered count the late ones sent and answered.
SLOW_OR_LOST = ("window.__f0 = window.fetch; var m = arguments[0], how = arguments[1];"
                " window.__slowAsked = window.__slowAnswered = 0;"
                "window.fetch = function (u, i) {"
                " if (!i || i.method !== m) return window.__f0(u, i);"
                " if (how === 'unsent') return Promise.reject(new TypeError('Failed to fetch'));"
                " if (how === 'lost') return window.__f0(u, i).then(function () {"
                "  throw new TypeError('Failed to fetch'); });"
                " window.__slowAsked++;"
                " return new Promise(function (ok) { setTimeout(ok, 1500); })"
                "  .then(function () { return window.__f0(u, i); })"
                "  .then(function (r) { setTimeout(function () { window.__slowAnswered++; }, 0);"
                "   return r; }); };")

# fetch for one method never answering until its signal aborts it, as a
# hung connection: arguments[1] true sends the request first (the server
# acts, its answer never comes), false sends nothing.  Without a signal
# it hangs for good, as a fetch with no deadline does.
HANGS = ("window.__f0 = window.fetch; var m = arguments[0], sent = arguments[1];"
         "window.fetch = function (u, i) {"
         " if (!i || i.method !== m) return window.__f0(u, i);"
         " if (!i.signal) return new Promise(function () {});"
         " var ended = new Promise(function (ok, no) {"
         "  i.signal.addEventListener('abort', function () { no(i.signal.reason); }); });"
         " if (!sent) return ended;"
         " var j = Object.assign({}, i); delete j.signal;"
         " return window.__f0(u, j).then(function () { return ended; }); };")

# The status line after a save: saved, or not.
SAVED = "return /^저장했습니다/.test(document.getElementById('status').textContent)"
SAVE_FAILED = "return /^저장하지 못했습니다/.test(document.getElementById('status').textContent)"


def draft_holds(wd, text):
    """Whether a draft this browser keeps holds text."""
    return wd.js("var t = arguments[0]; return Object.keys(localStorage).some(function (k) {"
                 " return k.indexOf('memo.drafts') === 0 &&"
                 " localStorage.getItem(k).indexOf(t) >= 0; })", text)


def open_editor(wd, memo_id):
    """Open memo_id's editor and wait until it has read the memo's version."""
    wd.click(card(memo_id, ".card-actions .edit"))
    wd.wait(f"return document.querySelector('{card(memo_id)} .editor').dataset.read === 'true'",
            "the editor, with the memo's version read")


# window.__searches counts the list requests of a search (q= in the URL).
COUNT_SEARCHES = ("window.__searches = 0; var f = window.fetch; window.fetch = function (u, i) {"
                  " if (/[?&]q=/.test(String(u))) window.__searches++; return f(u, i); };")
# The focused element's first class, its text and whether it is off.
FOCUSED = ("var f = document.activeElement;"
           " if (!f || f === document.body) return ['body'];"
           " return [f.classList[0] || f.tagName, f.textContent, !!f.disabled];")


def double_click(wd, css):
    """Two clicks on one button before any answer comes back, as a quick
    double click lands them (a disabled button takes no click)."""
    wd.js("var b = document.querySelector(arguments[0]); b.click(); b.click();", css)


# ---- the tests ----

@test
def page_write_edit_history(env):
    """Page: write with Ctrl+Enter, edit in place (Ctrl+Enter saves, Esc cancels), 수정됨 and history restore"""
    name = "페이지 편집"
    with Chromium(env, "edit") as wd:
        open_page(wd, env, name)
        eq(wd.text("#count"), "메모 0개", "count of a new user")
        check("아직 메모가 없습니다" in wd.text("#empty"), "the empty state")
        write(wd, "첫 메모 #일")
        wd.wait("return document.getElementById('count').textContent === '메모 1개'",
                "the saved memo")
        eq(wd.js(CARDS), ["첫 메모 #일"], "the card")
        eq(wd.js("return document.getElementById('memo-text').value"), "", "form emptied")
        # The first tag brings the tag bar (400 ms after the last write),
        # which moves the list down: the clicks below wait for it.
        wd.wait("return !document.getElementById('tags').hidden", "the tag bar")
        [(mid, row)] = memos(env, name).items()
        eq(row, ("첫 메모 #일", False, False), "the row")
        backdate(env, name, 2)

        # 수정 turns the card into an editor; Ctrl+Enter saves.
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor, focused")
        wd.keys(" 고침" + CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the editor closed")
        eq(wd.js(CARDS), ["첫 메모 #일 고침"], "the card after the edit")
        eq(text_of(env, mid), "첫 메모 #일 고침", "the row after the edit")
        eq(revisions(env, mid), ["첫 메모 #일"], "the old text kept as a revision")
        edited = wd.text(card(mid, ".edited"))
        check(edited and edited.startswith("수정됨 · "), f"수정됨 with the time: {edited!r}")

        # 저장했습니다 goes out of sight after 4 s but keeps its line: the
        # cards must not move by themselves, or a click on its way to
        # 수정 lands on something else.
        eq(wd.js("return document.getElementById('status').textContent"), "저장했습니다.",
           "the status after the save")
        top = "return document.querySelector(arguments[0]).getBoundingClientRect().top"
        before = wd.js(top, card(mid, ".card-actions .edit"))
        wd.wait("return document.getElementById('status').classList.contains('spent')",
                "the status out of sight")
        eq(wd.js("return document.getElementById('status').innerText"), "",
           "the spent status, as shown")
        eq(wd.js(top, card(mid, ".card-actions .edit")), before, "수정 where it was")

        # Esc with nothing changed closes; with a change it asks first.
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        wd.keys(KEY["esc"])
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "Esc closed it")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        wd.keys(" 버릴 내용")
        wd.keys(KEY["esc"])
        wd.wait("return document.getElementById('dialog').open", "the discard question")
        eq(wd.text("#dialog-title"), "수정을 취소할까요?", "the question")
        eq(wd.js("return document.getElementById('dialog').getAttribute('aria-describedby')"),
           "dialog-content", "a question is read with its content")
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "discarded")
        eq(wd.js(CARDS), ["첫 메모 #일 고침"], "the card unchanged")
        eq(text_of(env, mid), "첫 메모 #일 고침", "the row unchanged")

        # History: the earlier text, restored (an edit like any other).
        wd.click(card(mid, ".edited"))
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 2",
                "the history dialog")
        eq(wd.text("#dialog-title"), "수정 기록", "its title")
        # A screen reader reads the revisions as the person goes, not every
        # text at once as the dialog opens.
        eq(wd.js("return document.getElementById('dialog').getAttribute('aria-describedby')"),
           None, "the history: not described by its content")
        eq(wd.js("return Array.from(document.querySelectorAll('#dialog .revision .body'))"
                 ".map(function (e) { return e.textContent; })"),
           ["첫 메모 #일 고침", "첫 메모 #일"], "current text, then the earlier one")
        wd.click("#dialog .restore-revision")
        wd.wait("return !document.getElementById('dialog').open", "the dialog closed")
        wd.wait(f"return {CARDS[7:-1]}[0] === '첫 메모 #일'", "the restored text")
        eq(text_of(env, mid), "첫 메모 #일", "the row restored")
        eq(revisions(env, mid), ["첫 메모 #일", "첫 메모 #일 고침"], "the restore is an edit")
        check("되돌렸습니다" in status(wd), f"status: {status(wd)!r}")

        # An empty edit is refused with a clear message, the text kept.
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        wd.js(f"var t = document.getElementById('edit-{mid}'); t.value = '  ';"
              "t.dispatchEvent(new Event('input'));")
        wd.keys(CTRL_ENTER)
        wd.wait("return document.getElementById('status').textContent"
                ".indexOf('내용이 비어 있습니다') === 0", "the empty-text message")
        eq(text_of(env, mid), "첫 메모 #일", "nothing saved")

        # A save that fails gives back 저장 and the focus that turning it
        # off took (ui.busy); the text stays in the editor.
        wd.js(FAIL_LATE, "PATCH", "memo/")
        wd.js(f"var t = document.getElementById('edit-{mid}'); t.value = '못 고친 내용';"
              "t.dispatchEvent(new Event('input'));")
        wd.click(card(mid, ".editor .actions .primary"))
        wd.wait(SAVE_FAILED, "the failed save")
        eq(wd.js(FOCUSED), ["primary", "저장", False], "the focus back on 저장, on again")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"), "못 고친 내용",
           "the text kept")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "edit")
        print(f"    saw: card {wd.js(CARDS)}, {edited!r}, revisions {revisions(env, mid)}")


@test
@page_logic
def page_edit_typed_while_saving(env):
    """Page: what is typed in an editor while its save runs is kept: the text sent is saved, the editor stays open with the rest (and its draft), and the next save stores it as an edit of the version just saved"""
    name = "페이지 저장 중 입력"
    b = api(env, name)
    mid = post(b, "장보기")
    with Chromium(env, "edit-typing") as wd:
        open_page(wd, env, name)
        open_editor(wd, mid)
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor, focused")
        wd.js(SLOW_OR_LOST, "PATCH", "late")
        wd.keys(" 두부" + CTRL_ENTER)
        wd.keys(" 우유")
        wd.wait(SAVED, "the save answered")
        settled(lambda: text_of(env, mid), "장보기 두부", "what was sent, saved")
        check(wd.js(f"return !!document.querySelector('{card(mid)}.editing')"),
              "the editor still open")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"), "장보기 두부 우유",
           "the text typed meanwhile kept")
        eq(wd.js(f"return document.activeElement.id"), f"edit-{mid}", "the focus in it")
        check(draft_holds(wd, "두부 우유"),
              "and in its draft")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the editor closed")
        eq(text_of(env, mid), "장보기 두부 우유", "the rest saved, no conflict")
        eq(revisions(env, mid), ["장보기", "장보기 두부"], "two edits")
        eq(wd.js(CARDS), ["장보기 두부 우유"], "the card")
        no_problems(wd, "typed while saving")


@test
@page_logic
def page_edit_answer_lost(env):
    """Page: an edit whose answer was lost (the server saved it, the network failed after) saved again is saved, not shown as a conflict between two copies of the same text; after a reload its draft comes back said to be saved already, and 저장 closes it"""
    name = "페이지 응답 분실"
    b = api(env, name)
    mid = post(b, "회의 메모")
    with Chromium(env, "edit-lost") as wd:
        open_page(wd, env, name)
        open_editor(wd, mid)
        wd.js(SLOW_OR_LOST, "PATCH", "lost")
        wd.keys(" 정리" + CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the failure said")
        settled(lambda: text_of(env, mid), "회의 메모 정리", "saved on the server all the same")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the editor closed")
        eq(wd.js("return document.getElementById('status').textContent"), "저장했습니다.",
           "saved, no conflict to choose")
        eq(wd.js(CARDS), ["회의 메모 정리"], "the card")
        eq(revisions(env, mid), ["회의 메모"], "one edit")
        no_problems(wd, "answer lost")

        # Lost again, and the page reloaded: the draft it brings back is
        # what the server has, said so, and 저장 has nothing to choose.
        open_editor(wd, mid)
        wd.js(SLOW_OR_LOST, "PATCH", "lost")
        wd.keys(" 끝" + CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the failure said")
        settled(lambda: text_of(env, mid), "회의 메모 정리 끝", "saved on the server all the same")
        wd.refresh()
        wd.wait(LOADED, "the list, after a reload")
        wd.wait(f"return document.querySelector('{card(mid)} .editor') &&"
                f" document.querySelector('{card(mid)} .editor').dataset.read === 'true'",
                "the editor back from its draft, the version read")
        eq(wd.text(f"{card(mid)} .editor-note"), "되살린 수정 내용은 이미 저장되어 있습니다.",
           "said to be saved already")
        check(not draft_holds(wd, "정리 끝"), "no draft kept of it")
        wd.click(f"{card(mid)} .editor button.primary")
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the editor closed")
        eq(wd.js(CONFLICT_SHOWN, card(mid)), False, "no conflict between two copies")
        eq(wd.js(CARDS), ["회의 메모 정리 끝"], "the card")
        eq(revisions(env, mid), ["회의 메모", "회의 메모 정리"], "two edits, none more")
        no_problems(wd, "answer lost, then a reload")


ACTIVE_ID = "return document.activeElement && document.activeElement.id"


@test
@page_logic
def page_focus_stays_where_the_person_went(env):
    """Page: an answer that comes late gives the focus back only where it was lost, never taking it from where the person went meanwhile: a checklist box ticked with Space has it again (turned off while saving, it lost it to the page's start); a new memo's slow save leaves it in the search box the person went to, and so does an edit's; 저장 pressed with the keyboard has it again after a failed save"""
    name = "페이지 초점"
    b = api(env, name)
    todo = post(b, "장보기\n- [ ] 우유\n- [ ] 두부")
    other = post(b, "고칠 메모")
    with Chromium(env, "focus") as wd:
        open_page(wd, env, name)
        box = f"{card(todo)} .body input[data-line='1']"
        wd.js("document.querySelector(arguments[0]).focus()", box)
        wd.keys(" ")
        wd.wait(f"return !document.querySelector('{card(todo)}[aria-busy]') &&"
                " document.querySelector(arguments[0]).checked", "우유 ticked and saved", 10, box)
        eq(text_of(env, todo), "장보기\n- [x] 우유\n- [ ] 두부", "the row")
        eq(wd.js("return document.activeElement === document.querySelector(arguments[0])", box),
           True, "the ticked box has the focus again")

        # A new memo's save answered late, the person in the search box.
        wd.js(SLOW_OR_LOST, "POST", "late")
        wd.type("#memo-text", "느린 새 메모")
        wd.keys(CTRL_ENTER)
        wd.js("document.getElementById('search').focus()")
        wd.wait(SAVED, "the new memo saved")
        wd.js("window.fetch = window.__f0")
        eq(wd.js(ACTIVE_ID), "search", "the focus left in the search box")

        # An edit's, the same.
        open_editor(wd, other)
        wd.js(SLOW_OR_LOST, "PATCH", "late")
        wd.keys(" 고침" + CTRL_ENTER)
        wd.js("document.getElementById('search').focus()")
        wd.wait(f"return !document.querySelector('{card(other)}.editing')", "the edit saved")
        wd.js("window.fetch = window.__f0")
        eq(text_of(env, other), "고칠 메모 고침", "the edit stored")
        eq(wd.js(ACTIVE_ID), "search", "the focus left in the search box")

        # 저장 pressed with the keyboard, the save failing.
        wd.js(FAIL_LATE, "POST", "memo")
        wd.type("#memo-text", "저장 안 될 메모")
        wd.js("document.getElementById('memo-save').focus()")
        wd.keys(KEY["enter"])
        wd.wait(SAVE_FAILED, "the failure said")
        wd.js("window.fetch = window.__f0")
        eq(wd.js(ACTIVE_ID), "memo-save", "저장 has the focus again")
        no_problems(wd, "focus")


@test
@page_logic
def page_edit_version_unread(env):
    """Page: an edit whose memo could not be read (the version it replaces unknown) is not saved without If-Match: a change made elsewhere meanwhile is not written over; the save says why and keeps the text (also when the read is answered 404 by a proxy's page, not the server: not a memo gone), and once the memo can be read it shows both versions"""
    name = "페이지 버전 모름"
    b = api(env, name)
    mid = post(b, "처음 내용")
    with Chromium(env, "edit-unread") as wd:
        open_page(wd, env, name)
        wd.js(PATCHES)
        # The editor's read of the memo fails (503), and so does the one
        # the save makes first.
        wd.js(FAIL_LATE, "GET", f"memo/{mid}")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor, focused")
        time.sleep(0.6)     # its read answered 503 (FAIL_LATE: after 300 ms)
        check(wd.js(f"return !document.querySelector('{card(mid)} .editor[data-read]')"),
              "the version not read")
        wd.keys(" 내 수정")
        r = b.patch_json(f"/memo/{mid}", {"text": "다른 기기의 내용"})
        eq(r.status, 200, "PATCH by another device")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the save refused by the page")
        eq(status(wd), "저장하지 못했습니다. 서버가 데이터베이스에 연결하지 못했습니다."
           " 잠시 후 다시 시도해 주세요. 쓴 내용은 이 브라우저에 남아 있습니다.", "why")
        eq(wd.js("return window.__patches"), [], "no PATCH sent (it had no If-Match)")
        eq(text_of(env, mid), "다른 기기의 내용", "the other device's text not written over")
        eq(wd.js(EDIT_VALUE, mid), "처음 내용 내 수정", "the text kept in the editor")
        # Read as 404 by a proxy's page: not the memo gone, a failure.
        wd.js("window.fetch = window.__f0")
        wd.js(proxy_404("GET", f"memo/{mid}"))
        wd.keys(CTRL_ENTER)
        said = ("저장하지 못했습니다. 서버가 요청을 거절했습니다 (404)."
                " 쓴 내용은 이 브라우저에 남아 있습니다.")
        wd.wait("return document.getElementById('status').textContent === arguments[0]",
                "the save refused: the memo's read answered by a proxy", 15, said)
        eq(wd.js(CONFLICT_SHOWN, card(mid)), False, "not shown as a memo gone")
        eq(wd.js("return window.__patches"), [], "still no PATCH sent")
        # Readable again: the save reads the memo and shows both versions.
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(CONFLICT_SHOWN, "the conflict", 15, card(mid))
        eq(wd.js(f"return document.querySelector('{card(mid)} .version .body').textContent"),
           "다른 기기의 내용", "the server's version shown")
        eq(text_of(env, mid), "다른 기기의 내용", "still not written over")
        wd.click(card(mid, ".conflict-actions .keep-mine"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "mine saved")
        eq(text_of(env, mid), "처음 내용 내 수정", "mine stored, by choice")
        eq(revisions(env, mid)[-1], "다른 기기의 내용", "the other device's text a revision")
        patches = wd.js("return window.__patches")
        check(len(patches) == 1 and patches[0][2] == 200 and
              re.fullmatch(r'"[^"]+"', patches[0][1] or ""),
              f"one PATCH, with If-Match: {patches}")
        no_problems(wd, "version unread")


@test
@page_logic
def page_new_typed_while_saving(env):
    """Page: what is typed in the new-memo box while its save runs stays for the next memo, without the text already saved (saved twice before); a change inside the text sent keeps it all, said so"""
    name = "페이지 새 메모 저장 중"
    with Chromium(env, "new-typing") as wd:
        open_page(wd, env, name)
        wd.js(SLOW_OR_LOST, "POST", "late")
        wd.type("#memo-text", "첫 메모")
        wd.keys(CTRL_ENTER)
        wd.keys("\n둘째 메모")
        wd.wait(SAVED, "the save answered")
        eq(wd.js("return document.getElementById('memo-text').value"), "둘째 메모",
           "what was typed after, alone")
        check("더 쓴 내용은 아직 저장하지 않았습니다" in
              wd.js("return document.getElementById('status').textContent"), "said so")
        check(draft_holds(wd, "둘째 메모"),
              "and in the draft")
        wd.keys(CTRL_ENTER)
        wd.wait("return document.getElementById('count').textContent === '메모 2개'",
                "the second saved")
        eq(sorted(t for t, _, _ in memos(env, name).values()), ["둘째 메모", "첫 메모"],
           "two memos, neither text twice")
        eq(wd.js("return document.getElementById('memo-text').value"), "", "the box empty")
        # Changed inside the text sent: all of it stays, for the person.
        wd.type("#memo-text", "셋째")
        wd.keys(CTRL_ENTER)
        wd.js("var t = document.getElementById('memo-text'); t.value = '셋 째';"
              " t.dispatchEvent(new Event('input'));")
        wd.wait("return document.getElementById('count').textContent === '메모 3개'",
                "the third saved")
        eq(wd.js("return document.getElementById('memo-text').value"), "셋 째", "kept whole")
        wd.wait("return document.getElementById('status').textContent === arguments[0]",
                "said so", 15, "저장했습니다. 저장하는 동안 더 쓴 내용은 아직 저장하지 않았습니다.")
        # A syllable an IME is composing when the answer comes: the box is
        # left alone until the composition ends, then what was sent goes.
        wd.js("var t = document.getElementById('memo-text'); t.value = '넷째';"
              " t.dispatchEvent(new Event('input'));")
        wd.js("window.__posts = 0; var g = window.fetch; window.fetch = function (u, i) {"
              " var p = g(u, i); if (i && i.method === 'POST') p.then(function () {"
              " window.__posts++; }); return p; };")
        wd.keys(CTRL_ENTER)
        wd.js("var t = document.getElementById('memo-text');"
              " t.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));"
              " t.value = '넷째\\n다'; t.dispatchEvent(new Event('input'));")
        wd.wait("return window.__posts === 1", "the fourth's answer")
        time.sleep(0.3)
        eq(wd.js("return [document.getElementById('memo-text').value,"
                 " document.getElementById('status').textContent]"),
           ["넷째\n다", "저장하는 중…"], "the box untouched while composing")
        wd.js("var t = document.getElementById('memo-text');"
              " t.value = '넷째\\n다음'; t.dispatchEvent(new Event('input'));"
              " t.dispatchEvent(new CompositionEvent('compositionend', {data: '음'}));")
        wd.wait("return document.getElementById('memo-text').value === '다음'",
                "once composed, what was sent gone from the box")
        wd.wait(SAVED, "the save said")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["넷째", "둘째 메모", "셋째", "첫 메모"], "each memo once")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "new memo typed while saving")


@test
@page_logic
def page_new_answer_lost(env):
    """Page: a new memo whose save's answer was lost (the server has it) and that is saved again is not made twice: the newest memos are looked at first; one the server never got is made on the next save"""
    name = "페이지 새 메모 응답 유실"
    api(env, name)
    with Chromium(env, "new-lost") as wd:
        open_page(wd, env, name)
        # Sent, the memo made, the answer lost on the way back.
        wd.js(SLOW_OR_LOST, "POST", "lost")
        wd.type("#memo-text", "응답을 잃은 메모")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the failure said")
        eq([t for t, _, _ in memos(env, name).values()], ["응답을 잃은 메모"],
           "the server has it")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVED, "saved, the second time")
        eq([t for t, _, _ in memos(env, name).values()], ["응답을 잃은 메모"],
           "once, not twice")
        eq((wd.js(CARDS), wd.js("return document.getElementById('memo-text').value")),
           (["응답을 잃은 메모"], ""), "its card, once; the box empty")
        # Never sent (the network down before it): the next save makes it.
        wd.js(SLOW_OR_LOST, "POST", "unsent")
        wd.type("#memo-text", "보내지 못한 메모")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the failure said")
        eq(len(memos(env, name)), 1, "nothing sent")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVED + " && document.getElementById('count').textContent === '메모 2개'",
                "saved, the second time")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["보내지 못한 메모", "응답을 잃은 메모"], "made once")
        no_problems(wd, "new memo's answer lost")


@test
@page_logic
def page_save_hangs(env):
    """Page: a save whose connection hangs ends after the page's time limit as a failure it says (the server did not answer in time), 저장 usable again and the text kept; saved again, an edit is saved and a new memo the server had made after all is not made twice"""
    name = "페이지 응답 없음"
    b = api(env, name)
    mid = post(b, "회의 메모")
    with Chromium(env, "save-hangs") as wd:
        open_page(wd, env, name)
        wd.js("Memo.net.limits.ms = 1500")
        open_editor(wd, mid)
        wd.js(HANGS, "PATCH", False)
        wd.keys(" 정리" + CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the edit's failure said, the time limit over")
        check("제때 응답하지 않았습니다" in status(wd), status(wd))
        eq(text_of(env, mid), "회의 메모", "the edit not saved")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVED, "the edit saved, the second time")
        eq(text_of(env, mid), "회의 메모 정리", "saved")

        wd.js(HANGS, "POST", True)
        wd.type("#memo-text", "새 메모 응답 없음")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the new memo's failure said, the time limit over")
        check("제때 응답하지 않았습니다" in status(wd), status(wd))
        check(not wd.js("return document.getElementById('memo-save').disabled"),
              "저장 usable again")
        settled(lambda: len(memos(env, name)), 2, "the server made it all the same")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVED, "the new memo saved, the second time")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["새 메모 응답 없음", "회의 메모 정리"], "made once")
        no_problems(wd, "saves that hung")


@test
@page_logic
def page_list_hangs_without_signal_any(env):
    """Page: in a browser with AbortSignal.timeout but not AbortSignal.any (Chrome 103-115, Safari 16-17.3), a list load whose connection hangs still ends after the time limit, said as the server not answering in time: the list's own abort signal left it with no time limit at all"""
    name = "페이지 목록 응답 없음"
    b = api(env, name)
    post(b, "회의 메모")
    with Chromium(env, "list-hangs-no-any") as wd:
        open_page(wd, env, name)
        wd.js("Memo.net.limits.ms = 1500; delete AbortSignal.any")
        check(wd.js("return typeof AbortSignal.any") == "undefined", "no AbortSignal.any")
        wd.js(HANGS, "GET", False)
        search(wd, "회의")
        wd.wait("return /^메모를 불러오지 못했습니다. 서버가 제때 응답하지/"
                ".test(document.getElementById('status').textContent)",
                "the list's failure said, the time limit over")
        wd.js("window.fetch = window.__f0")
        search(wd, "메모")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 1개'",
                "the next search loads")
        no_problems(wd, "list hangs without AbortSignal.any")


@test
@page_logic
def page_new_unsent_filtered(env):
    """Page: a new memo the server never got, saved again while a search is on, is made, though an earlier memo has its text: the memos a filtered list shows do not tell which are older than the save (the earlier one was taken for the answer, and nothing made)"""
    name = "페이지 새 메모 검색 중 재시도"
    b = api(env, name)
    post(b, "회의 준비")
    post(b, "우유 사기")
    with Chromium(env, "new-unsent-filtered") as wd:
        open_page(wd, env, name)
        search(wd, "회의")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 회의")
        wd.js(SLOW_OR_LOST, "POST", "unsent")
        wd.type("#memo-text", "우유 사기")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVE_FAILED, "the failure said")
        eq(len(memos(env, name)), 2, "nothing sent")
        wd.js("window.fetch = window.__f0")
        wd.keys(CTRL_ENTER)
        wd.wait(SAVED, "saved, the second time")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["우유 사기", "우유 사기", "회의 준비"], "made, beside the earlier one")
        no_problems(wd, "new memo unsent, a search on")


@test
@page_logic
def page_dates_of_other_years(env):
    """Page: a memo of another year shows its date and its time of day (the time was only in the title, a tooltip that keyboard, touch and screen readers do not reach)"""
    name = "페이지 지난 해"
    b = api(env, name)
    old = post(b, "작년 메모")
    env.db.client(database="memo", stdin=(
        "UPDATE memo SET created_at = '2024-03-02 06:04:00', updated_at = NULL"
        f" WHERE id = {int(old)}"))
    with Chromium(env, "dates") as wd:
        wd.timezone("Asia/Seoul")
        open_page(wd, env, name)
        eq(wd.js(f"return document.querySelector('{card(old)} .meta time').textContent"),
           "2024년 3월 2일 오후 3:04", "the date and the time, in KST")
        no_problems(wd, "dates of other years")


# Every PATCH the page sends, once answered: [URL, If-Match, status].
PATCHES = ("window.__patches = []; var f = window.fetch;"
           "window.fetch = function (u, i) { var p = f(u, i);"
           " if (i && i.method === 'PATCH') p.then(function (r) {"
           "  window.__patches.push([String(u), i.headers['If-Match'] || null, r.status]); });"
           " return p; };")
DIALOG_TEXTS = ("return Array.from(document.querySelectorAll('#dialog .revision .body'))"
                ".map(function (e) { return e.textContent; })")


@test
def page_history_restore_changed_meanwhile(env):
    """Page: 이 내용으로 되돌리기 sends If-Match with the version the history dialog shows; the memo changed meanwhile (another tab), it is refused (412), the dialog says so and shows the memo and its revisions anew, the other tab's text kept; chosen again, it restores, and the focus goes back to 수정됨; changed again and not readable anew (503), the dialog says both; a 401 is said by the page and in the dialog, where the page's 다시 로그인 cannot be reached while it is open"""
    name = "페이지 기록 충돌"
    b = api(env, name)
    mid = post(b, "처음 쓴 내용")
    backdate(env, name, 2)

    def patch(text):
        r = b.patch_json(f"/memo/{mid}", {"text": text})
        eq(r.status, 200, "PATCH by the other tab")

    patch("고친 내용")
    with Chromium(env, "history-stale") as wd:
        open_page(wd, env, name)
        wd.js(PATCHES)
        wd.js(f"document.querySelector('{card(mid, '.edited')}').focus()")
        wd.keys(KEY["enter"])
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 2",
                "the history dialog")
        eq(wd.js(DIALOG_TEXTS), ["고친 내용", "처음 쓴 내용"], "the memo, then its earlier text")

        # Another tab edits the memo while the dialog is open.
        patch("다른 탭에서 고친 내용")
        first = wd.js("return document.querySelector('#dialog .restore-revision')"
                      ".dataset.revision")
        wd.click("#dialog .restore-revision")
        wd.wait("var a = document.querySelector('#dialog .history-alert');"
                " return !!a && !a.hidden", "the dialog says why nothing was restored")
        eq(wd.text("#dialog .history-alert"), "이 메모가 다른 곳에서 바뀌어 되돌리지 않았습니다. "
           "바뀐 내용을 다시 불러왔으니 확인한 뒤 다시 골라 주세요.", "what it says")
        patches = wd.js("return window.__patches")
        check(len(patches) == 1 and patches[0][0] == f"memo/{mid}" and patches[0][2] == 412
              and re.fullmatch(r'"[^"]+"', patches[0][1] or ""),
              f"one PATCH, with If-Match, refused with 412: {patches}")
        eq(text_of(env, mid), "다른 탭에서 고친 내용", "the other tab's text kept")
        eq(wd.js(DIALOG_TEXTS), ["다른 탭에서 고친 내용", "고친 내용", "처음 쓴 내용"],
           "the dialog drawn anew: the memo as it now is, and its earlier texts")
        check(wd.js("return document.getElementById('dialog').open"), "the dialog still open")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"),
           "다른 탭에서 고친 내용", "the card drawn anew under it")
        eq(wd.js("return document.activeElement.dataset.revision"), first,
           "the focus on the same revision's button")
        if env.web.mode == "cgi":
            for scheme in ("light", "dark"):
                wd.scheme(scheme)
                eq(wd.js(CONTRAST), [], f"text contrast: the dialog's message, {scheme}")
            wd.scheme("light")
            wd.screenshot("history-changed")

        # Chosen again, now that the person has seen it: restored.
        wd.keys(KEY["enter"])
        wd.wait("return !document.getElementById('dialog').open", "the dialog closed")
        eq(text_of(env, mid), "처음 쓴 내용", "restored")
        eq(revisions(env, mid), ["처음 쓴 내용", "고친 내용", "다른 탭에서 고친 내용"],
           "the other tab's text kept as a revision")
        patches = wd.js("return window.__patches")
        check(len(patches) == 2 and patches[1][2] == 200 and patches[1][1] != patches[0][1],
              f"the second PATCH with the newer version's ETag: {patches}")
        eq(status(wd), "이전 내용으로 되돌렸습니다.", "the status")
        # The dialog's close event, on which the focus moves, comes a task
        # after dialog.open is false.
        wd.wait(f"return document.activeElement.matches('{card(mid)} .edited')",
                "the focus back on the card's 수정됨", 5)

        # Changed again, and the memo as it now is cannot be read: the
        # dialog says both.
        wd.keys(KEY["enter"])
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 4",
                "the history dialog again")
        patch("또 고친 내용")
        wd.js(FAIL_LATE, "GET", f"memo/{mid}")
        wd.click("#dialog .restore-revision")
        wd.wait("var a = document.querySelector('#dialog .history-alert');"
                " return !!a && !a.hidden", "the dialog says why nothing was restored")
        eq(wd.text("#dialog .history-alert"), "이 메모가 다른 곳에서 바뀌어 되돌리지 않았습니다. "
           "바뀐 내용을 불러오지 못했습니다. 서버가 데이터베이스에 연결하지 못했습니다. "
           "잠시 후 다시 시도해 주세요.", "what it says when the memo cannot be read anew")
        eq(text_of(env, mid), "또 고친 내용", "nothing restored")
        wd.js("window.fetch = window.__f0")
        wd.click("#dialog-actions button")
        wd.wait("return !document.getElementById('dialog').open", "the dialog closed")

        # The login expired: the page says so, with 다시 로그인, which the
        # open dialog makes unreachable (the page under it is inert); the
        # dialog says it too, and how to get there.
        wd.keys(KEY["enter"])
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 5",
                "the history dialog, the memo read anew")
        wd.js(FAIL_LATE, "PATCH", f"memo/{mid}", 401)
        wd.click("#dialog .restore-revision")
        wd.wait("return !!document.getElementById('relogin')"
                " && !document.querySelector('#dialog .restore-revision').disabled",
                "the page says the login expired")
        check(status(wd).startswith("로그인이 만료되었습니다."), f"the status: {status(wd)!r}")
        eq(wd.js("var a = document.getElementById('relogin'); a.focus();"
                 " return document.activeElement === a"), False,
           "다시 로그인 out of reach while the dialog is open")
        eq(wd.js("var a = document.querySelector('#dialog .history-alert');"
                 " return a.hidden ? null : a.textContent"),
           "되돌리지 못했습니다. 로그인이 만료되었습니다. ‘닫기’를 누른 뒤 다시 로그인해 주세요.",
           "the dialog says it")
        wd.js("window.fetch = window.__f0")
        wd.click("#dialog-actions button")
        wd.wait("return !document.getElementById('dialog').open", "the dialog closed")
        wd.js("document.getElementById('relogin').focus()")
        eq(wd.js("return document.activeElement.id"), "relogin", "다시 로그인 in reach then")
        no_problems(wd, "history changed meanwhile")
        print(f"    saw: PATCHes {patches}")


@test
@page_logic
def page_history_long_opens_at_top(env):
    """Page: the history of a memo longer than the screen opens at its start, the title and the memo as it now is in sight and the focus on the title, not scrolled down to 닫기 at its end; Tab goes on to the first 이 내용으로 되돌리기"""
    name = "페이지 긴 기록"
    b = api(env, name)
    text = "\n".join(f"{i}번째 줄: 오늘 할 일과 생각을 길게 적어 둔 메모" for i in range(1, 81))
    mid = post(b, text)
    backdate(env, name, 2)
    for more in ("\n덧붙임 하나", "\n덧붙임 둘"):
        text += more
        r = b.patch_json(f"/memo/{mid}", {"text": text})
        eq(r.status, 200, "PATCH")
    with Chromium(env, "history-long") as wd:
        open_page(wd, env, name)
        wd.js(f"document.querySelector('{card(mid, '.edited')}').focus()")
        wd.keys(KEY["enter"])
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 3",
                "the history dialog")
        seen = wd.js("var d = document.getElementById('dialog'), r = d.getBoundingClientRect();"
                     " var t = document.getElementById('dialog-title').getBoundingClientRect();"
                     " return [d.scrollHeight > d.clientHeight, d.scrollTop,"
                     " t.top >= r.top && t.bottom <= r.bottom, document.activeElement.id];")
        eq(seen, [True, 0, True, "dialog-title"], "[longer than the screen, scrolled by,"
           " the title in sight, the focus on]")
        wd.keys(KEY["tab"])
        check(wd.js("return document.activeElement.matches('#dialog .restore-revision')"),
              "Tab: the first 이 내용으로 되돌리기")
        wd.keys(KEY["esc"])
        wd.wait("return !document.getElementById('dialog').open", "Esc closed it")
        eq(text_of(env, mid), text, "nothing restored")
        no_problems(wd, "long history")


def edited_after_trash(env, wd, name):
    """A memo of name's edited once (its card says 수정됨, its history has
    two texts), on the page opened then shown 휴지통 and 메모 again, so
    that Back goes to 휴지통.  Its id."""
    b = api(env, name)
    mid = post(b, "처음 내용")
    backdate(env, name, 2)
    r = b.patch_json(f"/memo/{mid}", {"text": "고친 내용"})
    eq(r.status, 200, "PATCH")
    open_page(wd, env, name)
    wd.click("#nav a[data-view='trash']")
    wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
    wd.click("#nav a[data-view='memos']")
    wd.wait("return !document.getElementById('view-memos').hidden && " + LOADED[7:],
            "the memos again")
    return mid


@test
@page_logic
def page_history_closed_by_back(env):
    """Page: Back while the history dialog is open closes it with the 메모 view, as the other views close theirs (it stayed open over 휴지통, its 되돌리기 changing a memo out of sight), and the focus goes to the tab of the view shown"""
    name = "페이지 기록 뒤로"
    with Chromium(env, "history-back") as wd:
        mid = edited_after_trash(env, wd, name)
        wd.click(card(mid, ".edited"))
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 2",
                "the history dialog")
        wd.back()
        wd.wait("return !document.getElementById('view-trash').hidden", "Back: 휴지통")
        eq(wd.js("return document.getElementById('dialog').open"), False,
           "the dialog closed with its view")
        check(wd.js("return document.activeElement.matches('#nav a[data-view=\"trash\"]')"),
              "the focus on 휴지통's tab")
        eq(text_of(env, mid), "고친 내용", "nothing restored")
        no_problems(wd, "history and Back")


@test
@page_logic
def page_history_read_then_back(env):
    """Page: Back while the history is still being read (its dialog not open yet) leaves it unopened: it opened over 휴지통 once read, as page_history_closed_by_back's dialog stayed open"""
    name = "페이지 기록 읽는 중 뒤로"
    with Chromium(env, "history-read-back") as wd:
        mid = edited_after_trash(env, wd, name)
        wd.js(SLOW_OR_LOST, "GET", "slow")
        wd.click(card(mid, ".edited"))
        wd.back()
        wd.wait("return !document.getElementById('view-trash').hidden", "Back: 휴지통")
        wd.wait("return window.__slowAsked >= 2 && window.__slowAnswered === window.__slowAsked",
                "the history's two reads answered, and the trash's list")
        time.sleep(0.3)     # and what comes of them done
        eq(wd.js("return document.getElementById('dialog').open"), False,
           "no history dialog over 휴지통")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "history read, then Back")


def proxy_404(method, path, status=404):
    """A script: fetch answers `method path` with a proxy's 404 page (or
    another status's: HTML, not the server's JSON error), window.__proxied
    true once it has, and every other request as before."""
    return ("window.__f0 = window.fetch; window.__proxied = false;"
            " window.fetch = function (u, i) {"
            f" if (String(u) !== {json.dumps(path)} ||"
            f"  ((i && i.method) || 'GET') !== {json.dumps(method)})"
            "  return window.__f0(u, i);"
            " window.__proxied = true;"
            " return Promise.resolve(new Response('<html>Not Found</html>',"
            f"  {{status: {int(status)}, headers: {{'Content-Type': 'text/html'}}}})); }};")


def proxy_refuses(wd, method, path, selector, said):
    """Click selector with `method path` answered by a proxy's 404 page
    (proxy_404()), until the page says `said`; fetch put back after."""
    wd.js(proxy_404(method, path))
    wd.click(selector)
    wd.wait("return window.__proxied &&"
            " document.getElementById('status').textContent === arguments[0]",
            f"refused by a proxy: {said}", 15, said)
    wd.js("window.fetch = window.__f0")


@test
def page_edit_of_memo_deleted_for_good(env):
    """Page: an edit saved after its memo was deleted for good elsewhere says so and offers what is left, 새 메모로 저장 and 내 내용 복사; 새 메모로 저장 makes a memo of the text typed and the gone memo's card goes; a 404 that is not the server's (a proxy's page) is a failed save, said as one, the editor and its text kept (it showed the memo as deleted for good); screenshots 1280 px and 390 px, light and dark"""
    name = "페이지 수정 중 영구 삭제"
    b = api(env, name)
    mid = post(b, "곧 사라질 메모")
    post(b, "남는 메모")
    typed = "곧 사라질 메모 고친 내용"
    with Chromium(env, "edit-deleted-for-good") as wd:
        open_page(wd, env, name)
        open_editor(wd, mid)
        wd.keys(" 고친 내용")
        wd.js(proxy_404("PATCH", f"memo/{mid}"))
        wd.keys(CTRL_ENTER)
        wd.wait("return /^저장하지 못했습니다/.test(document.getElementById('status').textContent)",
                "the failed save")
        eq(status(wd), "저장하지 못했습니다. 서버가 요청을 거절했습니다 (404)."
           " 쓴 내용은 이 브라우저에 남아 있습니다.", "said as a failure")
        eq(wd.js(CONFLICT_SHOWN, card(mid)), False, "not shown as a memo gone")
        eq(wd.js(EDIT_VALUE, mid), typed, "the text kept in its editor")
        eq(text_of(env, mid), "곧 사라질 메모", "the row as it was")
        check(draft_holds(wd, typed), "the text kept in this browser, as said")
        wd.js("window.fetch = window.__f0")

        purge(b, mid)
        wd.click(f"#edit-{mid}")
        wd.keys(CTRL_ENTER)
        wd.wait(CONFLICT_SHOWN, "the memo said gone", 10, card(mid))
        eq(wd.js(f"return document.querySelector('{card(mid)} .conflict-title').textContent"),
           "이 메모는 영구 삭제되었습니다. 쓴 내용은 새 메모로 저장하거나 복사할 수 있습니다.",
           "what it says")
        eq(wd.js(f"return Array.from(document.querySelectorAll('{card(mid)} .conflict-actions"
                 " button')).map(function (b) {{ return b.textContent; }})"),
           ["새 메모로 저장", "내 내용 복사"], "the choices left")
        check(wd.js("return document.activeElement.matches('.conflict-actions .save-new')"),
              "the focus on the first")
        if env.web.mode == "cgi":
            state_shots(wd, "edit-gone", "an edit of a memo gone", at=card(mid))
        wd.click(card(mid, ".conflict-actions .save-new"))
        wd.wait(f"return !document.getElementById('memo-{mid}')", "the gone memo's card gone")
        eq(status(wd), "내 내용을 새 메모로 저장했습니다.", "said")
        eq(sorted(t for t, _, _ in memos(env, name).values()), sorted([typed, "남는 메모"]),
           "the rows: the text typed, a memo of its own")
        eq(wd.js(CARDS), [typed, "남는 메모"], "the cards")
        eq(drafts_stored(wd), 0, "no draft left")
        no_problems(wd, "an edit of a memo deleted for good")


@test
def page_two_tab_conflict(env):
    """Page: two tabs edit one memo: the second save gets 412 and shows both versions; keep mine, keep theirs, save as new (once, on a double click), copy (to the clipboard, or selected where that is refused)"""
    name = "페이지 충돌"
    b = api(env, name)
    mid = post(b, "회의 안건\n- 예산")
    with Chromium(env, "conflict") as wd:
        open_page(wd, env, name)
        first = wd.handle()
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "tab 1's editor")
        wd.keys("\n- 일정 (탭 1)")
        # The second tab edits the same memo and saves first.
        second = wd.new_tab()
        wd.go(env.web_prefix.url)
        wd.wait(LOADED, "tab 2's list")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "tab 2's editor")
        wd.keys("\n- 장소 (탭 2)" + CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "tab 2 saved")
        theirs = "회의 안건\n- 예산\n- 장소 (탭 2)"
        eq(text_of(env, mid), theirs, "tab 2's text stored")
        no_problems(wd, "tab 2")

        # Tab 1 saves with the version it started from: 412, both shown.
        wd.switch(first)
        wd.keys(CTRL_ENTER)
        wd.wait(CONFLICT_SHOWN, "the conflict", 15, card(mid))
        mine = "회의 안건\n- 예산\n- 일정 (탭 1)"
        eq(text_of(env, mid), theirs, "nothing overwritten by the stale save")
        eq(wd.js(f"return document.querySelector('{card(mid)} .version .body').textContent"),
           theirs, "the server's version shown")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"), mine,
           "mine still in the editor")
        eq(wd.js(f"return Array.from(document.querySelectorAll('{card(mid)} .conflict-actions"
                 " button')).map(function (b) {{ return b.textContent; }})"),
           ["내 내용으로 저장", "서버 내용 유지", "새 메모로 저장", "내 내용 복사"], "the choices")
        if env.web.mode == "cgi":
            wd.js(f"document.querySelector('{card(mid)}').scrollIntoView()")
            wd.screenshot("conflict")
        # 내 내용 복사: where the page may not write the clipboard, mine is
        # left selected in the editor for Ctrl+C; where it may, it is copied.
        said = "return document.getElementById('status').textContent === arguments[0]"
        wd.permission("clipboard-write", "denied")
        wd.click(card(mid, ".conflict-actions .copy-mine"))
        wd.wait(said, "the copy refused", 15, "복사할 수 없는 환경입니다. 내용을 선택해 두었으니"
                " Ctrl+C(⌘+C)로 복사해 주세요.")
        eq(wd.js("var t = document.activeElement;"
                 " return [t.id, t.value.slice(t.selectionStart, t.selectionEnd)];"),
           [f"edit-{mid}", mine], "mine selected in the editor")
        wd.permission("clipboard-write", "granted")
        wd.permission("clipboard-read", "granted")      # for the test to read it back
        wd.click(card(mid, ".conflict-actions .copy-mine"))
        wd.wait(said, "the copy", 15, "내 내용을 클립보드에 복사했습니다.")
        eq(wd.js("return navigator.clipboard.readText()"), mine, "mine on the clipboard")
        wd.click(card(mid, ".conflict-actions .keep-mine"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "mine saved")
        eq(text_of(env, mid), mine, "mine stored")
        eq(revisions(env, mid)[-1], theirs, "theirs kept as a revision")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"), mine,
           "mine on the card")

        # Again, changed by another client while tab 2 types: keep the server's.
        def patch(text):
            r = b.patch_json(f"/memo/{mid}", {"text": text})
            eq(r.status, 200, "PATCH by the other client")

        wd.switch(second)
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                "tab 2's editor, with the memo read")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"), mine,
           "the editor took the newer text (its card was older)")
        wd.keys(" 두 번째")
        patch("API에서 고침")
        wd.keys(CTRL_ENTER)
        wd.wait(CONFLICT_SHOWN, "the second conflict", 15, card(mid))
        wd.click(card(mid, ".conflict-actions .keep-server"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "closed")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"),
           "API에서 고침", "the server's text on tab 2's card")
        eq(text_of(env, mid), "API에서 고침", "the row unchanged")
        no_problems(wd, "tab 2")

        # And once more in tab 1: save mine as a new memo, both texts live on.
        wd.switch(first)
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                "tab 1's editor, with the memo read")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"),
           "API에서 고침", "tab 1's card redrawn with the newer text")
        wd.keys(" + 탭 1")
        patch("API 두 번째")
        wd.keys(CTRL_ENTER)
        wd.wait(CONFLICT_SHOWN, "the third conflict", 15, card(mid))
        double_click(wd, card(mid, ".conflict-actions .save-new"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "closed")
        time.sleep(0.3)     # a second POST, if there were one, is done
        rows = memos(env, name)
        eq(rows[mid][0], "API 두 번째", "the server's text kept")
        new = [t for i, (t, _, _) in rows.items() if i != mid]
        eq(new, ["API에서 고침 + 탭 1"], "mine as a new memo")
        wd.wait("return document.getElementById('count').textContent === '메모 2개'", "2 memos")
        eq(wd.js(CARDS), ["API에서 고침 + 탭 1", "API 두 번째"], "both cards")
        no_problems(wd, "tab 1")
        print(f"    saw: 412 shown as two versions three times; rows {sorted(rows.values())}")


@test
def page_delete_undo_trash(env):
    """Page: 삭제 with 실행 취소, then the 휴지통 view: purge date (TRASH_DAYS=7, in KST), 복원 (a double click restores once; of a memo another tab purged meanwhile: said so; answered 404 by a proxy's page: a failure, the card kept), 영구 삭제 (answered 404 by a proxy's page: a failure, the card kept; 취소 keeps it, and a 영구 삭제 right after 취소 asks anew and works; of a memo another tab restored meanwhile: said so), 휴지통 비우기 with a confirmation; 삭제 of a memo deleted for good elsewhere (said so), or answered 404 by a proxy's page (a failure: the card back)"""
    name = "페이지 휴지통"
    b = api(env, name)
    ids = [post(b, f"메모 {i}") for i in range(1, 6)]       # 메모 5 is the newest
    # Memos stay 7 days in the trash, not the default 30: the page must
    # take the server's word.  A person in Korea sees the dates in KST.
    with settings(env, TRASH_DAYS="7"), Chromium(env, "trash") as wd:
        wd.timezone("Asia/Seoul")
        open_page(wd, env, name)
        eq(wd.js(CARDS), [f"메모 {i}" for i in range(5, 0, -1)], "five cards")

        # 삭제: gone at once, in the trash in the database, undo offered.
        wd.click(card(ids[2], ".card-actions .delete"))
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                "the undo toast")
        eq(wd.text("#toast .toast-text"), "‘메모 3’ 메모를 휴지통으로 옮겼습니다.",
           "the toast, naming the memo")
        eq(wd.text("#toast .toast-action"), "실행 취소", "its action")
        eq(wd.js(CARDS), ["메모 5", "메모 4", "메모 2", "메모 1"], "the card gone")
        eq(wd.text("#count"), "메모 4개", "the count")
        eq(memos(env, name)[ids[2]][2], True, "the row in the trash")
        wd.click("#toast .toast-action")
        wd.wait(f"return !!document.querySelector('{card(ids[2])}')", "the card back")
        eq(wd.js(CARDS), [f"메모 {i}" for i in range(5, 0, -1)], "restored in place")
        eq(memos(env, name)[ids[2]][2], False, "the row live again")
        eq(wd.text("#count"), "메모 5개", "the count again")

        # 실행 취소 that fails (503; or 404 from a proxy's page, not the
        # memo gone) says so and offers 실행 취소 again, with the focus its
        # button lost on the new one; pressed, it works.
        for why, stub in (("서버가 데이터베이스에 연결하지 못했습니다.", (FAIL_LATE, "POST", "/restore")),
                          ("서버가 요청을 거절했습니다 (404).",
                           (proxy_404("POST", f"memo/{ids[2]}/restore"),))):
            wd.click(card(ids[2], ".card-actions .delete"))
            wd.wait(f"return !document.querySelector('{card(ids[2])}')", "메모 3 gone again")
            wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                    "the undo toast")
            wd.js(*stub)
            wd.click("#toast .toast-action")
            wd.wait("return document.getElementById('status').textContent.indexOf("
                    "arguments[0]) >= 0", f"the failed undo said: {why}", 15,
                    "되돌리지 못했습니다. " + why)
            wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                    "실행 취소 offered again")
            eq(wd.js(FOCUSED), ["toast-action", "실행 취소", False], "the focus on it")
            eq(memos(env, name)[ids[2]][2], True, "the row still in the trash")
            wd.js("window.fetch = window.__f0")
            wd.keys(KEY["enter"])
            wd.wait(f"return !!document.querySelector('{card(ids[2])}')", "the card back")
            eq(wd.js(CARDS), [f"메모 {i}" for i in range(5, 0, -1)], "restored in place")
            eq(memos(env, name)[ids[2]][2], False, "the row live again")

        # 실행 취소 after a search changed the list: the server says the
        # memo is not among the results, and the status says so.
        wd.click(card(ids[2], ".card-actions .delete"))
        wd.wait(f"return !document.querySelector('{card(ids[2])}')", "메모 3 gone again")
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                "the undo toast")
        wd.js("var s = document.getElementById('search'); s.value = '메모 1';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 메모 1")
        wd.click("#toast .toast-action")
        wd.wait("return /취소했습니다/.test(document.getElementById('status').textContent)",
                "the undo answered")
        eq(status(wd), "삭제를 취소했습니다. 지금 필터(검색어 ‘메모 1’)에 맞지 않아 목록에는 "
           "보이지 않습니다.", "the status says why it is not shown")
        eq((wd.js(CARDS), wd.text("#count")), (["메모 1"], "검색 결과 1개"),
           "the results as they were")
        eq(wd.js("return document.activeElement.id"), "search",
           "the focus 실행 취소 had in the search box, not at the page's start")
        settled(lambda: memos(env, name)[ids[2]][2], False, "the row live again")
        wd.js("Array.from(document.querySelectorAll('#filter .chip')).pop().click()")
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "the search cleared")

        # Four into the trash, one after the other.
        for i in (0, 1, 3, 4):
            wd.click(card(ids[i], ".card-actions .delete"))
            wd.wait(f"return !document.querySelector('{card(ids[i])}')", f"메모 {i + 1} gone")
        # The card goes before the DELETE is answered: the last may still run.
        settled(lambda: sorted(i for i, r in memos(env, name).items() if r[2]),
                sorted([ids[0], ids[1], ids[3], ids[4]]), "four rows in the trash")
        # 메모 2 deleted two days ago; 메모 1 yesterday at 15:30 UTC, 00:30
        # KST: its purge day is a day later in KST than in UTC.
        env.db.client(database="memo", stdin=(
            f"UPDATE memo SET deleted_at = CASE id WHEN {ids[0]}"
            " THEN TIMESTAMP(UTC_DATE() - INTERVAL 1 DAY, '15:30:00')"
            " ELSE TIMESTAMP(UTC_DATE() - INTERVAL 2 DAY, '10:00:00') END"
            f" WHERE id IN ({ids[0]}, {ids[1]})"))
        trashed = b.get("/memo?trash=true").json()["memos"]
        eq([m["id"] for m in trashed], [ids[4], ids[3], ids[1], ids[0]], "the trash, by the API")

        # The trash view, by its tab; its URL survives a reload.
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden &&"
                " document.querySelectorAll('#trash-list li').length === 4", "the trash")
        check(wd.url().endswith("#view=trash"), f"the URL names the view: {wd.url()}")
        eq(wd.js("return document.title"), f"휴지통 · {name}님의 메모장", "the title names it")
        wd.refresh()
        wd.wait("return !document.getElementById('view-trash').hidden &&"
                " document.querySelectorAll('#trash-list li').length === 4",
                "the trash after a reload")
        eq(wd.text("#trash-count"), "휴지통 메모 4개", "its count")
        eq(wd.text("#trash-note"), "휴지통의 메모는 삭제하고 7일이 지나면 자동으로 영구 삭제됩니다.",
           "how long memos stay: TRASH_DAYS")
        purge = wd.js("return Array.from(document.querySelectorAll('#trash-list .purge-when'))"
                      ".map(function (e) { return e.textContent; })")
        eq(purge, [purge_note(m["deleted_at"], 7) for m in trashed],
           "each says when it will be purged: deleted_at + 7 days, in KST")
        if env.web.mode == "cgi":
            wd.screenshot("trash")

        # 복원: back among the memos; a double click restores it once.
        double_click(wd, f"#trash-{ids[3]} .restore")
        wd.wait(f"return !document.getElementById('trash-{ids[3]}')",
                "restored out of the trash")
        eq(memos(env, name)[ids[3]][2], False, "the row live")
        time.sleep(0.3)     # a second answer, if there were one, is in
        eq(wd.text("#trash-count"), "휴지통 메모 3개", "the trash count, one less")
        eq(wd.js("return document.querySelectorAll('#trash-list li').length"), 3,
           "the other cards kept")

        # 영구 삭제 of a memo another tab restored meanwhile: 409, said so.
        eq(b.post_json(f"/memo/{ids[4]}/restore", {}).status, 200, "restored elsewhere")
        wd.click(f"#trash-{ids[4]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question")
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.getElementById('trash-{ids[4]}')",
                "its card gone from the trash")
        eq(status(wd), "이미 복원된 메모입니다. 메모 목록에서 볼 수 있습니다.",
           "the status says it was restored")
        eq(wd.text("#trash-count"), "휴지통 메모 2개", "the trash count")
        eq(memos(env, name)[ids[4]], ("메모 5", False, False), "the row live, untouched")

        # 영구 삭제 asks first; 취소 keeps it.
        wd.click(f"#trash-{ids[1]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question")
        eq(wd.text("#dialog-title"), "영구 삭제할까요?", "its title")
        eq(wd.js("return document.getElementById('dialog').getAttribute('aria-describedby')"),
           "dialog-content", "a question is read with its content")
        # 영구 삭제 answered 404 by a proxy's page: a failure, the card kept
        # (not taken as purged elsewhere).
        proxy_refuses(wd, "DELETE", f"trash/{ids[1]}", "#dialog-actions button.danger",
                      "영구 삭제하지 못했습니다. 서버가 요청을 거절했습니다 (404).")
        check(wd.js(f"return !!document.getElementById('trash-{ids[1]}')"), "its card kept")
        wd.click(f"#trash-{ids[1]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question")

        # 취소, and 영구 삭제 again at once: the second question opens in
        # the frame before the first one's close event, which settled it
        # as cancelled too (its 영구 삭제 then did nothing).
        wd.js("document.querySelector('#dialog-actions button.secondary').click();"
              " document.querySelector(arguments[0]).click();", f"#trash-{ids[1]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question again")
        check(ids[1] in memos(env, name), "kept after 취소")
        wd.js(NEXT_FRAME)   # the first question's close event has come
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.getElementById('trash-{ids[1]}')",
                "purged")
        check(ids[1] not in memos(env, name), "the row gone for good")

        # 복원 of a memo another tab purged meanwhile: 404, its card goes
        # and the status says so.
        extra = post(b, "메모 6")
        eq(b.request("DELETE", f"/memo/{extra}").status, 204, "메모 6 into the trash")
        wd.refresh()
        wd.wait(f"return !!document.getElementById('trash-{extra}')", "메모 6 in the trash")
        eq(b.request("DELETE", f"/trash/{extra}").status, 204, "purged elsewhere")
        wd.click(f"#trash-{extra} .restore")
        wd.wait(f"return !document.getElementById('trash-{extra}')",
                "its card gone from the trash")
        eq(status(wd), "이미 영구 삭제된 메모입니다.", "the status says it was purged")
        eq(wd.text("#trash-count"), "휴지통 메모 1개", "the trash count")

        # 복원 answered 404 by a proxy's page: a failure, the card stays.
        proxy_refuses(wd, "POST", f"memo/{ids[0]}/restore", f"#trash-{ids[0]} .restore",
                      "복원하지 못했습니다. 서버가 요청을 거절했습니다 (404).")
        check(wd.js(f"return !!document.getElementById('trash-{ids[0]}')"), "its card kept")
        eq(wd.text("#trash-count"), "휴지통 메모 1개", "the trash count")

        # 복원 failing: the card stays, its buttons on again, and the
        # focus that turning them off took is back on 복원 (ui.busy).
        wd.js(FAIL_LATE, "POST", "/restore")
        wd.click(f"#trash-{ids[0]} .restore")
        wd.wait("return /^복원하지 못했습니다. 서버가 데이터베이스/.test("
                "document.getElementById('status').textContent)", "the failed restore (503)")
        eq(wd.js(FOCUSED), ["restore", "복원: 메모 1", False], "the focus back on 복원, on again")
        wd.js("window.fetch = window.__f0")

        # 휴지통 비우기, after its confirmation.
        wd.click("#trash-empty")
        wd.wait("return document.getElementById('dialog').open", "the confirmation")
        eq(wd.text("#dialog-title"), "휴지통을 비울까요?", "its title")
        check("1개" in wd.text("#dialog-content"), wd.text("#dialog-content"))
        wd.click("#dialog-actions button.danger")
        wd.wait("return document.querySelectorAll('#trash-list li').length === 0 &&"
                " !document.getElementById('trash-none').hidden", "the empty trash")
        eq(wd.text("#trash-none"), "휴지통이 비어 있습니다.", "its message")
        eq(sorted(memos(env, name)), sorted([ids[2], ids[3], ids[4]]), "what is left")

        # Back to the memo list: the restored memo is there, and the focus,
        # which was in the trash's view, on the memo list's tab.
        wd.js("var n = document.getElementById('trash-none'); n.tabIndex = -1; n.focus();")
        wd.back()
        wd.wait("return !document.getElementById('view-memos').hidden", "Back: the memos")
        check(wd.js("return document.activeElement.matches('#nav a[data-view=\"memos\"]')"),
              "Back: the focus on 메모's tab, not at the page's start")
        wd.wait(f"return {CARDS[7:-1]}.join('|') === '메모 5|메모 4|메모 3'", "three memos")
        wd.wait("return !document.querySelector('#toast.show')", "the toast gone by itself")

        # 삭제 of a memo another tab deleted for good meanwhile (404): its
        # card does not come back, and the status says why.
        eq(b.request("DELETE", f"/memo/{ids[2]}").status, 204, "another tab: to the trash")
        eq(b.request("DELETE", f"/trash/{ids[2]}").status, 204, "and deleted for good")
        wd.click(card(ids[2], ".card-actions .delete"))
        wd.wait("return /영구 삭제된 메모|삭제하지 못했습니다/.test("
                "document.getElementById('status').textContent)", "the answer")
        eq(status(wd), "이미 영구 삭제된 메모입니다.", "the status")
        eq((wd.js(CARDS), wd.text("#count")), (["메모 5", "메모 4"], "메모 2개"),
           "its card gone for good")
        check(not wd.js("return !!document.querySelector('#toast.show')"), "no undo offered")

        # 삭제 answered 404 by a proxy's page, not the server: the memo may
        # well be there, so its card comes back and the failure is said.
        proxy_refuses(wd, "DELETE", f"memo/{ids[3]}", card(ids[3], ".card-actions .delete"),
                      "삭제하지 못했습니다. 서버가 요청을 거절했습니다 (404).")
        eq((wd.js(CARDS), wd.text("#count")), (["메모 5", "메모 4"], "메모 2개"), "its card back")
        eq(memos(env, name)[ids[3]], ("메모 4", False, False), "the row live")
        check(not wd.js("return !!document.querySelector('#toast.show')"), "no undo offered")
        no_problems(wd, "trash")
        print(f"    saw: undo restored 메모 3 in place; trash {purge} (deleted"
              f" {[m['deleted_at'] for m in trashed]}); left {wd.js(CARDS)}")


TAGLIST = ("return Array.from(document.querySelectorAll('#tag-list .chip')).map("
           "function (b) { return b.dataset.tag + ' ' + b.querySelector('.chip-count')"
           ".textContent + (b.getAttribute('aria-pressed') === 'true' ? ' on' : ''); });")


# [shown as on, text] of the focused element if it is the button at
# arguments[0], else what has the focus.  The pin button's text says its
# state; it has no aria-pressed too (a screen reader said "고정 해제,
# 눌림", which does not tell whether the memo is pinned).
PIN_FOCUS = ("var f = document.activeElement;"
             " if (f !== document.querySelector(arguments[0]))"
             "  return ['focus on', f && (f.id || f.tagName)];"
             " return [f.classList.contains('on') && !f.hasAttribute('aria-pressed'),"
             " f.textContent];")


def marks(wd):
    return wd.js("return Array.from(document.querySelectorAll('#view-memos .body mark'))"
                 ".map(function (m) { return m.textContent; });")


@test
def page_pin_tags_search(env):
    """Page: 고정 section, #tag chips and the tag list filter, search as you type (debounced, stale answers dropped, marks, 결과 없음), all in the URL; an open editor kept (also without drafts) and the focus left in the search box when the list loads anew"""
    name = "페이지 검색"
    b = api(env, name)
    post(b, "주간 회의록 #회사/회의 #중요")
    post(b, "장보기 #집\n- [ ] 두부")
    post(b, "회의실 예약하기 #회사")
    nfd = "\u1112\u116c\u110b\u1174 메모 (맥에서 쓴 자모)"     # 회의, decomposed (NFD)
    post(b, nfd)
    post(b, "Quarterly REVIEW #Work")
    with Chromium(env, "search") as wd:
        open_page(wd, env, name)
        start = wd.url()
        eq(len(wd.js(CARDS)), 5, "five cards")
        wd.wait("return document.querySelectorAll('#tag-list .chip').length === 5", "the tags")
        api_tags = b.get("/tags").json()["tags"]
        eq(wd.js(TAGLIST), [f"{t['name']} {t['count']}" for t in api_tags],
           "the tag list is GET /tags, with counts")

        # 고정: its own section at the top.  Pressed with the keyboard, the
        # focus stays on the card's pin button, now saying 고정 해제 (the
        # card moves into a section that was hidden until then).
        ids = {t: i for i, (t, _, _) in memos(env, name).items()}
        shop = ids["장보기 #집\n- [ ] 두부"]
        wd.js(f"document.querySelector('{card(shop, '.card-actions .pin')}').focus()")
        wd.keys(KEY["enter"])
        wd.wait(f"return !!document.querySelector('#pinned #memo-{shop}')",
                "the pinned section")
        eq(wd.js(PIN_FOCUS, card(shop, ".card-actions .pin")), [True, "고정 해제: 장보기 #집"],
           "the focus on the card's pin button, pressed, saying 고정 해제")
        check(not wd.js("return document.getElementById('pinned-section').hidden"),
              "고정됨 shown")
        eq(wd.text("#pinned-heading"), "고정됨", "its heading")
        eq(memos(env, name)[shop][1], True, "pinned in the database")
        eq(wd.js(f"return document.querySelector('{card(shop, '.pin')}').textContent"),
           "고정 해제: 장보기 #집", "the button's name says it is on")
        wd.refresh()
        wd.wait(LOADED, "the list after a reload")
        eq(wd.js("return Array.from(document.querySelectorAll('#pinned li'))"
                 ".map(function (l) { return Number(l.dataset.id); })"), [shop],
           "still pinned after a reload")

        # A tag in a memo filters to it (and its nested tags); the URL says so.
        wd.click(f"{card(ids['회의실 예약하기 #회사'])} .body button.tag")
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 2개'",
                "the #회사 filter")
        check("tag=%ED%9A%8C%EC%82%AC" in wd.url(), f"the tag in the URL: {wd.url()}")
        eq(sorted(wd.js(CARDS)), sorted(["주간 회의록 #회사/회의 #중요", "회의실 예약하기 #회사"]),
           "#회사 and #회사/회의")
        eq(wd.js("return document.querySelector('#filter .chip').getAttribute('aria-label')"),
           "태그 필터 #회사 지우기", "the active filter, removable")
        check("회사 1 on" in wd.js(TAGLIST), f"the tag list shows it on: {wd.js(TAGLIST)}")
        # Removed with its ×.
        wd.click("#filter .chip")
        wd.wait("return document.getElementById('count').textContent === '메모 5개'", "all again")
        # From the tag list, then Back.
        wd.click("#tag-list .chip[data-tag='중요']")
        wd.wait("return document.getElementById('count').textContent === '#중요 메모 1개'",
                "the #중요 filter")
        # The chips are drawn anew: the pressed one keeps the focus.
        wd.wait("var f = document.activeElement; return !!f && f.matches("
                "'#tag-list .chip[data-tag=\"중요\"][aria-pressed=true]')",
                "the focus on the pressed #중요 chip")
        wd.back()
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "Back: no filter")

        # Search as the person types: one request after the last key.  Both
        # keys' input events in one script, so they surely fall within
        # SEARCH_DELAY (300 ms) of each other however slow the machine.
        wd.js(COUNT_SEARCHES)
        wd.js("var s = document.getElementById('search');"
              "s.value = '회'; s.dispatchEvent(new Event('input'));"
              "s.value = '회의'; s.dispatchEvent(new Event('input'));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 3개'"
                " && window.__searches >= 2", "the results for 회의")
        time.sleep(0.5)        # past SEARCH_DELAY: a second search would have started
        searches = wd.js("return window.__searches")
        eq(searches, 2, "one search (pinned and others) for two syllables typed")
        check("q=%ED%9A%8C%EC%9D%98" in wd.url(), f"the search in the URL: {wd.url()}")
        eq(sorted(wd.js(CARDS)), sorted(["주간 회의록 #회사/회의 #중요", "회의실 예약하기 #회사",
                                         unicodedata.normalize("NFC", nfd)]),
           "회의 found, also the one written as NFD (shown composed)")
        eq(sorted(set(marks(wd))), ["회의"], "matches marked")
        eq(len(marks(wd)), 4, "every match marked (the tag's too, the NFD one as 회의)")
        if env.web.mode == "cgi":
            wd.screenshot("search")

        # Case-insensitive; the answer to an older query never wins.
        # The q=slow answers (pinned and others) come 1.5 s late, or fail
        # 1.5 s late if the newer query aborted them; window.__slowDone counts
        # them once the page has handled them (a task after their body was
        # read, or after the failure).
        wd.js("window.__slowDone = 0; var f0 = window.fetch;"
              "function handled() { setTimeout(function () { window.__slowDone++; }, 0); }"
              "function late(settle) { return new Promise(function (ok, no) {"
              " setTimeout(function () { settle(ok, no); }, 1500); }); }"
              "window.fetch = function (u, i) {"
              " if (!/q=slow/.test(String(u))) return f0(u, i);"
              " return f0(u, i).then(function (r) { return late(function (ok) {"
              "   var j = r.json.bind(r);"
              "   r.json = function () { var p = j(); p.then(handled, handled); return p; };"
              "   ok(r); }); },"
              "  function (e) { return late(function (ok, no) { no(e); handled(); }); });"
              "};")
        wd.js("var s = document.getElementById('search'); s.value = 'slow';"
              "s.dispatchEvent(new Event('input'));"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.js("var s = document.getElementById('search'); s.value = 'review';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for review")
        wd.wait("return window.__slowDone === 2", "the slow answers to the older query handled")
        eq(wd.js(CARDS), ["Quarterly REVIEW #Work"], "the newer query's results stay")
        eq(wd.text("#count"), "검색 결과 1개", "and its count")
        check("q=review" in wd.url(), f"the URL says review: {wd.url()}")

        # 결과 없음, a clear state.
        wd.js("var s = document.getElementById('search'); s.value = '없는말';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return !document.getElementById('empty').hidden", "no results")
        eq(wd.text("#empty"), "결과 없음 — ‘없는말’에 맞는 메모가 없습니다.", "결과 없음")
        eq(wd.text("#count"), "검색 결과 0개", "count 0")

        # A sentence pasted whole: every word counts, the 9th too.  Nine
        # words none of which holds another, so the server keeps all nine:
        # its statement takes the 8 longest (the syllables), and memo.cgi
        # looks for the shortest, "/", in each memo found; a copy without
        # the "/" has the eight.
        copy = post(b, "주간 회의록 #회사 #중요")
        search(wd, "주 간 회 의 록 사 중 요 /")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for nine words")
        eq(wd.js(CARDS), ["주간 회의록 #회사/회의 #중요"], "only the memo with all nine")
        for path in (f"/memo/{copy}", f"/trash/{copy}"):
            eq(b.request("DELETE", path).status, 204, f"DELETE {path}")

        # A reload on a search URL shows the same search.
        wd.go(env.web_prefix.url + "#q=%ED%9A%8C%EC%9D%98&tag=%ED%9A%8C%EC%82%AC")
        wd.refresh()
        wd.wait(LOADED, "the page from a search URL")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 2개'",
                "회의 within #회사")
        eq(wd.js("return document.getElementById('search').value"), "회의", "the search box")
        eq(wd.js("return Array.from(document.querySelectorAll('#filter .chip'))"
                 ".map(function (c) { return c.firstChild.textContent; })"),
           ["#회사", "검색: 회의", "모두 지우기"], "both filters shown")
        eq(wd.js("return Array.from(document.querySelectorAll('#filter .chip'))"
                 ".map(function (c) { return c.getAttribute('aria-label'); })"),
           ["태그 필터 #회사 지우기", "검색: 회의 지우기", "필터 모두 지우기"],
           "their names hold what they show")
        # Esc in the search box clears it.
        wd.click("#search")
        wd.keys(KEY["esc"])
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 2개'",
                "Esc cleared the search")
        wd.go(start)
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "the start URL: everything")

        # A filter the server refuses (a tag made of HTML, typed into the URL).
        wd.go(env.web_prefix.url + "#tag=%3Cb%3E")
        wd.wait("return /찾을 수 없습니다/.test(document.getElementById('status').textContent)",
                "a clear message for a malformed filter")
        eq(wd.js("return document.querySelectorAll('#view-memos b').length"), 0, "no element")
        wd.go(start)
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "everything again")

        # 고정 해제, by keyboard: the focus follows the card back down.
        wd.js(f"document.querySelector('{card(shop, '.card-actions .pin')}').focus()")
        wd.keys(KEY["enter"])
        wd.wait(f"return !!document.querySelector('#memos #memo-{shop}')",
                "unpinned")
        eq(wd.js(PIN_FOCUS, card(shop, ".card-actions .pin")), [False, "고정: 장보기 #집"],
           "the focus on the card's pin button, saying 고정")
        check(wd.js("return document.getElementById('pinned-section').hidden"),
              "no pinned section left")
        eq(memos(env, name)[shop][1], False, "unpinned in the database")

        # An editor open while the list loads anew (a search typed, Back, a
        # tag, the way back from 휴지통) stays open with its text, and the
        # keys stay where the person types: a draft of the edit kept in
        # this browser does not pull them into the memo.
        meet = ids["회의실 예약하기 #회사"]
        editing = ("var t = document.getElementById('edit-%d');"
                   " return t && t.value;" % meet)
        wd.click(card(meet, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(meet)} .editor[data-read]')",
                "the editor, with the memo read")
        wd.keys(" 변경")
        wd.click("#search")
        wd.keys("회")
        wd.wait("return /^검색 결과/.test(document.getElementById('count').textContent)",
                "the results for 회")
        eq(wd.js("return document.activeElement.id"), "search",
           "the focus still in the search box when the results came")
        wd.keys("의")
        wd.wait("return document.getElementById('search').value === '회의' &&"
                " /q=%ED%9A%8C%EC%9D%98$/.test(location.hash) &&"
                " !document.getElementById('view-memos').hasAttribute('aria-busy')",
                "the next key in the search box, and its results")
        eq(wd.js("return document.activeElement.id"), "search", "the focus still there")
        eq(wd.js(editing), "회의실 예약하기 #회사 변경", "the editor open, its text as typed")
        wd.back()
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "Back: no search")
        eq(wd.js("return document.activeElement.id"), "search", "Back: the focus stays")
        eq(wd.js(editing), "회의실 예약하기 #회사 변경", "Back: the editor open")
        wd.click("#tag-list .chip[data-tag='회사']")
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 2개'",
                "the #회사 filter")
        check(wd.js(f"return document.activeElement.id !== 'edit-{meet}'"),
              "the tag's list took no focus into the memo")
        eq(wd.js(editing), "회의실 예약하기 #회사 변경", "a tag: the editor open")
        # Without drafts (storage blocked or full) nothing else holds the
        # text: the list anew after 휴지통 keeps the editor all the same.
        wd.js("Object.keys(localStorage).forEach(function (k) {"
              " localStorage.removeItem(k); });"
              "window.__setItem = Storage.prototype.setItem;"
              "Storage.prototype.setItem = function () {"
              " throw new DOMException('full', 'QuotaExceededError'); };")
        wd.click(f"#edit-{meet}")
        wd.keys(KEY["end"] + " 초안 없이")
        eq(drafts_stored(wd), 0, "no draft kept by this browser")
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
        wd.click("#nav a[data-view='memos']")
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "back to the memos")
        eq(wd.js(editing), "회의실 예약하기 #회사 변경 초안 없이",
           "the editor and the text only it held, kept")
        wd.js("Storage.prototype.setItem = window.__setItem;")
        wd.click(f"#edit-{meet}")
        wd.keys(KEY["esc"])
        wd.wait("return document.getElementById('dialog').open", "the discard question")
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.querySelector('{card(meet)}.editing')", "discarded")
        eq(text_of(env, meet), "회의실 예약하기 #회사", "the row untouched")
        no_problems(wd, "search")
        print(f"    saw: tags {wd.js(TAGLIST)}, {searches} requests for 회의 typed,"
              f" marks {marks(wd) or 'none now'}")


BLOCK_STORAGE = ("Object.keys(localStorage).forEach(function (k) {"
                 " localStorage.removeItem(k); });"
                 "Storage.prototype.setItem = function () {"
                 " throw new DOMException('full', 'QuotaExceededError'); };")


def search(wd, words):
    """Search for words at once (Enter in the search box)."""
    wd.js("var s = document.getElementById('search'); s.value = arguments[0];"
          "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));",
          words)


# The text in memo arguments[0]'s editor (null: none open), and the note of
# its card kept aside (null: none).
EDIT_VALUE = "var t = document.getElementById('edit-' + arguments[0]); return t && t.value;"
ASIDE_NOTE = ("var n = document.querySelector('#memo-' + arguments[0] + ' .aside-note');"
              " return n && n.textContent;")


def three_memos(env, name):
    """A user with 장보기, 회의 and 운동 memos: (API client, their ids)."""
    b = api(env, name)
    return b, [post(b, t) for t in ("장보기 목록", "회의 준비", "운동 계획")]


# Every list of memos (GET memo?…) answered 503 by the server.
LISTS_FAIL = ("window.__f0 = window.fetch; window.fetch = function (u, i) {"
              " if (!/^memo\\?/.test(String(u)) || (i && i.method && i.method !== 'GET'))"
              "  return window.__f0(u, i);"
              " return Promise.resolve(new Response('{\"error\":\"database unavailable\"}',"
              "  {status: 503, headers: {'Content-Type': 'application/json'}})); };")
# The first list request of a search (q= in its URL) answered 503 by the
# server; window.__searchFailed counts it.
SEARCH_FAILS_ONCE = ("window.__f0 = window.fetch; window.__searchFailed = 0;"
                     " window.fetch = function (u, i) {"
                     " if (!/[?&]q=/.test(String(u)) || window.__searchFailed++)"
                     "  return window.__f0(u, i);"
                     " return Promise.resolve(new Response('{\"error\":\"database unavailable\"}',"
                     "  {status: 503, headers: {'Content-Type': 'application/json'}})); };")


@test
@page_logic
def page_search_fails_then_again(env):
    """Page: a search whose list could not be loaded (503) leaves the last list's cards with no 더 보기 (its next page would have mixed the two lists), and the same search asked again (Enter) loads it (it did nothing: the words were those of the search asked); the same list read again and failing keeps its 더 보기"""
    name = "페이지 검색 실패"
    b = api(env, name)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: post(b, f"회의 {i}" if i % 20 == 0 else f"메모 {i}"), range(55)))
    with Chromium(env, "search-fails") as wd:
        open_page(wd, env, name)
        eq((wd.text("#count"), wd.js("return document.getElementById('more').hidden")),
           ("메모 55개", False), "the list and its 더 보기")
        shown = wd.js(CARDS)
        # The same list read again and failing (휴지통, then 메모): its
        # cards are still the filter's, and 더 보기 still brings page 2.
        wd.js(LISTS_FAIL)
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
        wd.click("#nav a[data-view='memos']")
        wd.wait("return /^메모를 불러오지 못했습니다/.test(document.getElementById('status')"
                ".textContent) && !document.getElementById('view-memos').hasAttribute('aria-busy')",
                "the list read again, failed")
        wd.js("window.fetch = window.__f0")
        eq((wd.js(CARDS), wd.js("return document.getElementById('more').hidden")),
           (shown, False), "the same cards, 더 보기 still there")
        wd.js("document.getElementById('more').scrollIntoView();"
              " document.getElementById('more').click()")
        wd.wait("return document.querySelectorAll('#view-memos li.memo').length === 55",
                "page 2 under them")
        wd.refresh()
        wd.wait(LOADED, "the list anew")
        # Another filter's list failing hides 더 보기; back at the cards'
        # own filter, even failing, it is there again.
        failed = ("return /^메모를 불러오지 못했습니다/.test(document.getElementById('status')"
                  ".textContent) && !document.getElementById('view-memos').hasAttribute('aria-busy')")
        wd.js(LISTS_FAIL)
        search(wd, "없는 말")
        wd.wait(failed, "another filter's list failed")
        eq(wd.js("return document.getElementById('more').hidden"), True, "no 더 보기")
        wd.js("document.getElementById('status').textContent = ''")
        search(wd, "")
        wd.wait(failed, "the cards' own filter's list failed")
        eq(wd.js("return document.getElementById('more').hidden"), False, "더 보기 again")
        wd.js("window.fetch = window.__f0")
        wd.refresh()
        wd.wait(LOADED, "the list anew")
        wd.js(SEARCH_FAILS_ONCE)
        wd.type("#search", "회의")
        wd.keys(KEY["enter"])
        wd.wait("return /^메모를 불러오지 못했습니다/.test(document.getElementById('status')"
                ".textContent) && !document.getElementById('view-memos').hasAttribute('aria-busy')",
                "the failed search said")
        eq(wd.js(CARDS), shown, "the last list's cards left")
        eq(wd.js("return document.getElementById('more').hidden"), True, "no 더 보기 under them")
        wd.keys(KEY["enter"])
        wd.wait("return document.getElementById('count').textContent === '검색 결과 3개'",
                "the same search again, loaded")
        eq(sorted(wd.js(CARDS)), ["회의 0", "회의 20", "회의 40"], "its cards")
        eq(wd.js("return window.__searchFailed"), 4,
           "the failed load's two (one refused), then the pinned and the page")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "a search failed, then again")


@test
@page_logic
def page_search_typed_decomposed(env):
    """Page: a search typed decomposed (NFD, as macOS writes Hangul: 100 syllables, 300 code points) pasted into the box reaches the server whole and finds its memo; the box cut it at 200 code units (66 syllables and a half), a search that found nothing"""
    name = "페이지 분해 검색"
    b = api(env, name)
    post(b, "각" * 100 + " 끝")
    post(b, "다른 메모")
    with Chromium(env, "search-nfd") as wd:
        open_page(wd, env, name)
        # Pasted, as an edit of the person's (the box's maxlength holds;
        # chromedriver's typing is not held by it).
        wd.js("var s = document.getElementById('search'); s.focus();"
              "document.execCommand('insertText', false, arguments[0]);",
              unicodedata.normalize("NFD", "각" * 100))
        wd.keys(KEY["enter"])
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "found")
        eq(len(wd.js("return document.getElementById('search').value")), 300,
           "the box holds all it was given")
        no_problems(wd, "a search typed decomposed")


@test
@page_logic
def page_search_box_follows_back(env):
    """Page: Back and Forward with the focus in the search box: the box shows the search the list is filtered by (it kept the words of a search Back had left), and typing on searches from there"""
    name = "페이지 검색 뒤로"
    three_memos(env, name)
    box = "return [document.activeElement.id, document.getElementById('search').value]"
    with Chromium(env, "search-back") as wd:
        open_page(wd, env, name)
        wd.click("#search")
        wd.keys("회의")
        wd.wait("return /q=%ED%9A%8C%EC%9D%98$/.test(location.hash) &&"
                " document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 회의")
        wd.back()
        wd.wait("return document.getElementById('count').textContent === '메모 3개'",
                "Back: no search")
        eq(wd.js(box), ["search", ""], "Back: the focus in the box, which shows no search")
        eq(wd.js("return document.getElementById('filter').hidden"), True, "no filter shown")
        wd.js("history.forward()")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "Forward: the search again")
        eq(wd.js(box), ["search", "회의"], "Forward: the box shows it")
        wd.back()
        wd.wait("return document.getElementById('count').textContent === '메모 3개'",
                "Back again")
        wd.keys("운동")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'"
                " && /q=%EC%9A%B4%EB%8F%99$/.test(location.hash)", "the results for 운동")
        eq(wd.js(CARDS), ["운동 계획"], "운동 alone, not 회의운동")
        no_problems(wd, "search box and Back")


@test
@page_logic
def page_edit_left_out_by_filter(env):
    """Page: a card being edited whose memo a new search leaves out stays, on top and uncounted, with its text (the browser keeping no drafts) and a note saying why; saved, the row has the text and the list is the search's again (with the memo if the edit made it match); cancelled, it goes"""
    name = "페이지 필터 밖 수정"
    b, (shop, meet, gym) = three_memos(env, name)
    editor = EDIT_VALUE
    # Shown, not only there.
    note = "var n = document.querySelector('#memo-' + arguments[0] + ' .aside-note');" \
           " return n && n.getClientRects().length ? n.textContent : null;"
    with Chromium(env, "edit-outside") as wd:
        open_page(wd, env, name)
        wd.js(BLOCK_STORAGE)
        wd.click(card(shop, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(shop)} .editor[data-read]')",
                "the editor, with the memo read")
        wd.keys(" 두부 추가")
        eq(drafts_stored(wd), 0, "no draft kept by this browser")

        # A search the memo does not match: the editor stays, with its text.
        search(wd, "회의")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 회의")
        eq(wd.js(editor, shop), "장보기 목록 두부 추가", "the editor open, its text as typed")
        eq(wd.js("return document.activeElement.id"), f"edit-{shop}", "the focus still in it")
        eq(wd.js(SHOWN), [shop, meet], "the card being edited on top, then the result")
        eq(wd.js(CARDS), ["회의 준비"], "the one result")
        said = wd.js(note, shop)
        eq(said, "지금 필터(검색어 ‘회의’)에 맞지 않는 메모입니다. 수정을 마칠 때까지 여기에"
           " 둡니다.", "the note says why it is there")
        eq(wd.js(f"return document.getElementById('edit-{shop}').getAttribute('aria-describedby')"),
           f"aside-{shop}", "the text is described by the note")
        check(wd.js("return document.getElementById('empty').hidden"), "no 결과 없음")
        if env.web.mode == "cgi":
            for scheme in ("light", "dark"):
                wd.scheme(scheme)
                eq(wd.js(CONTRAST), [], f"text contrast: the note, {scheme}")
            wd.scheme("light")
            wd.screenshot("edit-left-out")

        # Saved: the row has the text; the list is the search's alone.
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.getElementById('memo-{shop}')", "the card gone once saved")
        eq(text_of(env, shop), "장보기 목록 두부 추가", "the row has the text typed")
        wd.wait(LOADED, "the results anew")
        eq((wd.js(CARDS), wd.text("#count")), (["회의 준비"], "검색 결과 1개"), "the results")
        eq(status(wd), "저장했습니다.", "saved")
        eq(wd.js("return document.activeElement.id"), "search", "the focus in the search box")

        # An edit that makes the memo match: listed after the save.
        search(wd, "")
        wd.wait("return document.getElementById('count').textContent === '메모 3개'", "all")
        wd.click(card(gym, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(gym)} .editor[data-read]')",
                "the editor, with the memo read")
        wd.keys(" (회의 후)")
        search(wd, "회의")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 회의")
        eq(wd.js(SHOWN), [gym, meet], "kept on top")
        wd.keys(CTRL_ENTER)
        wd.wait("return document.getElementById('count').textContent === '검색 결과 2개'",
                "the results anew, with it")
        eq(wd.js(CARDS), ["운동 계획 (회의 후)", "회의 준비"], "in its place, a result now")
        eq(wd.js(note, gym), None, "no note")
        check(wd.js(f"return document.activeElement.matches('{card(gym)} .card-actions .edit')"),
              "the focus on its 수정")
        eq(text_of(env, gym), "운동 계획 (회의 후)", "the row")

        # Cancelled: the card goes, the row as it was.
        search(wd, "")
        wd.wait("return document.getElementById('count').textContent === '메모 3개'", "all")
        wd.click(card(shop, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(shop)} .editor[data-read]')",
                "the editor, with the memo read")
        search(wd, "회의")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 2개'",
                "the results for 회의")
        eq(wd.js(SHOWN), [shop, gym, meet], "kept on top")
        wd.keys(KEY["esc"])
        wd.wait(f"return !document.getElementById('memo-{shop}')", "the card gone")
        eq(text_of(env, shop), "장보기 목록 두부 추가", "the row unchanged")
        no_problems(wd, "edit left out by a filter")
        print(f"    saw: note {said!r}; rows"
              f" {sorted(t for t, _, _ in memos(env, name).values())}")


@test
@page_logic
def page_edit_aside_on_top(env):
    """Page: a new list puts the cards kept aside on top, then its own newest first, the cards being edited that it has included, and the card being typed in does not move (the focus stays in it); a card back from aside (the filter cleared) lands where its id puts it; one kept aside, saved, leaves the focus in the search box when the list that follows fails"""
    name = "페이지 옆에 둔 순서"
    b = api(env, name)
    one, two, three, four, five = (post(b, t) for t in
                                   ("사과 하나", "배 둘", "사과 셋", "사과 넷", "사과 다섯"))
    value = EDIT_VALUE
    with Chromium(env, "aside-order") as wd:
        open_page(wd, env, name)
        eq(wd.js(SHOWN), [five, four, three, two, one], "newest first")
        for mid in (four, two):
            wd.click(card(mid, ".card-actions .edit"))
            wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                    "the editor, with the memo read")
        wd.keys(" 고침")

        # 둘 does not match: aside, on top; 넷 does, among the results.
        search(wd, "사과")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 4개'",
                "the results for 사과")
        seen = wd.js(SHOWN)
        eq(seen, [two, five, four, three, one],
           "the card kept aside on top, then the results newest first")
        eq(wd.js("return document.activeElement.id"), f"edit-{two}",
           "the focus still in the editor typed in")
        eq(wd.js(value, two), "배 둘 고침", "its text as typed")

        # The filter cleared: 둘 is one of the list's again, in its place.
        search(wd, "")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '메모 5개'",
                "all memos")
        eq(wd.js(SHOWN), [five, four, three, two, one], "back where its id puts it")
        check(not wd.js(f"return document.getElementById('memo-{two}').classList"
                        ".contains('aside')"), "no longer marked aside")
        eq(wd.js("return document.activeElement.id"), f"edit-{two}", "the focus still in it")

        # Typing in 넷, which stays in the list: 둘 goes above it.
        wd.js(f"document.getElementById('edit-{four}').focus()")
        wd.keys(" 고침")
        search(wd, "사과")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 4개'",
                "the results for 사과 again")
        eq(wd.js(SHOWN), [two, five, four, three, one], "the card kept aside on top again")
        eq(wd.js("return document.activeElement.id"), f"edit-{four}",
           "the focus still in the editor typed in")
        eq(wd.js(value, four), "사과 넷 고침", "its text as typed")

        # 둘 saved, and the list that follows fails: the focus its card
        # took away waits in the search box, not on the page's start.
        wd.js(f"document.getElementById('edit-{two}').focus()")
        wd.js(FAIL_LATE, "GET", "memo?")
        wd.keys(CTRL_ENTER)
        wd.wait("return /^메모를 불러오지 못했습니다/.test("
                "document.getElementById('status').textContent)", "the failed list")
        eq(text_of(env, two), "배 둘 고침", "saved")
        check(not wd.js(f"return document.getElementById('memo-{two}')"), "its card gone")
        eq(wd.js("return document.activeElement.id || document.activeElement.tagName"),
           "search", "the focus in the search box")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "aside on top")
        focus = wd.js("return document.activeElement.id")
        print(f"    saw: {seen} for 사과, {two} aside; the focus in #{focus}"
              " after the failed list")


@test
@page_logic
def page_edit_aside_next_page(env):
    """Page: a card being edited whose memo is on a page not loaded since the list came anew stays aside, saying it is further down; the page that has its memo, loaded (더 보기), makes it one of the list's: no note, no aside mark, in its place, counted once, the focus and the text left in its editor"""
    name = "페이지 옆에 둔 다음 쪽"
    live, _ = seed(env, name, 60, trashed=0, pinned=())
    target = live[55]
    note = ASIDE_NOTE
    aside = f"return document.getElementById('memo-{target}').classList.contains('aside')"
    with Chromium(env, "aside-next-page") as wd:
        open_page(wd, env, name)
        eq(wd.js("return document.querySelectorAll('#memos li').length"), 50, "one page")
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.querySelectorAll('#memos li').length === 60", "the second page")
        wd.click(card(target, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(target)} .editor[data-read]')",
                "the editor, with the memo read")
        wd.keys(" 고침")

        # 휴지통 and back: the list anew, its first page only.
        wd.js("window.scrollTo(0, 0)")     # no next page loaded by a scroll kept
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
        wd.click("#nav a[data-view='memos']")
        wd.wait(LOADED + " && document.querySelectorAll('#memos li').length === 51",
                "back to the memos: one page and the card kept aside")
        eq(wd.js(SHOWN)[0], target, "the card kept aside on top")
        check(wd.js(aside), "marked aside")
        eq(wd.js(note, target), "목록에서는 더 아래에 있는 메모입니다. 수정을 마칠 때까지 여기에 둡니다.",
           "the note says it is further down")
        eq(wd.text("#count"), "메모 60개", "the count")

        # The next page brings its memo, while the focus is in its editor.
        wd.js(f"document.getElementById('edit-{target}').focus()")
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.getElementById('more').hidden", "the second page again")
        eq(wd.js(note, target), None, "no note")
        check(not wd.js(aside), "not marked aside")
        eq(wd.js(SHOWN), live, "every memo once, newest first, the card in its place")
        eq(wd.text("#count"), "메모 60개", "the count")
        eq(wd.js("return document.activeElement.id"), f"edit-{target}",
           "the focus still in its editor")
        eq(wd.js(f"return document.getElementById('edit-{target}').value"),
           text_of(env, target) + " 고침", "the text as typed")
        no_problems(wd, "aside until its page came")
        print(f"    saw: {target} aside on top of 50, then at index"
              f" {live.index(target)} of {len(live)}")


@test
@page_logic
def page_edit_aside_deleted(env):
    """Page: a card being edited whose memo was deleted elsewhere, left out by a new list, says so in its note instead of blaming the filter or saying nothing: moved to the trash (the memo read says deleted_at), or deleted for good (404); one not deleted still names the filter"""
    name = "페이지 옆에 둔 삭제"
    b, (shop, meet, gym) = three_memos(env, name)
    note = ASIDE_NOTE
    said = "다른 곳에서 삭제된 메모입니다. 수정을 마칠 때까지 여기에 둡니다."
    with Chromium(env, "aside-deleted") as wd:
        open_page(wd, env, name)
        for mid in (gym, shop):
            wd.click(card(mid, ".card-actions .edit"))
            wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                    "the editor, with the memo read")
        wd.keys(" 두부 추가")
        eq(b.request("DELETE", f"/memo/{shop}").status, 204, "to the trash by the other tab")

        # Under a search neither matches: 장보기 was deleted, 운동 is left out.
        search(wd, "회의")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for 회의")
        eq(wd.js(SHOWN), [gym, shop, meet], "both kept aside on top")
        settled(lambda: wd.js(note, shop), said, "장보기's note: deleted elsewhere")
        eq(wd.js(note, gym), "지금 필터(검색어 ‘회의’)에 맞지 않는 메모입니다. 수정을 마칠 때까지"
           " 여기에 둡니다.", "운동's note: the filter")

        # 운동 deleted for good, the filter cleared: its note says so too.
        eq(b.request("DELETE", f"/memo/{gym}").status, 204, "to the trash by the other tab")
        eq(b.request("DELETE", f"/trash/{gym}").status, 204, "deleted for good")
        search(wd, "")
        wd.wait(LOADED + " && document.getElementById('count').textContent === '메모 1개'",
                "all memos")
        eq(wd.js(SHOWN), [gym, shop, meet], "still kept aside on top")
        settled(lambda: wd.js(note, gym), said, "운동's note: deleted elsewhere")
        eq(wd.js(note, shop), said, "장보기's note still")
        eq(wd.js(f"return document.getElementById('edit-{shop}').value"), "장보기 목록 두부 추가",
           "the text as typed")
        eq(wd.js("return document.activeElement.id"), f"edit-{shop}", "the focus in it")
        no_problems(wd, "aside, deleted elsewhere")
        print(f"    saw: notes {wd.js(note, gym)!r}, {wd.js(note, shop)!r}")


@test
def page_write_under_filter(env):
    """Page: a memo written under a tag or search filter joins the list (the pages loaded stay) if the server says it matches, else the status says why it is not shown (no verdict once the filter changed); a failed save says why (503: try later; a 4xx: refused, no retry promised), then that the text is kept"""
    name = "페이지 필터 쓰기"
    b = api(env, name)
    # For the 더 보기 race below, oldest first, each group posted once the
    # one before is in (ids ascend): 10 #회사, then 40 #집 among 10 #회사,
    # then the newest 50 #회사.
    texts = [f"안건 {n} #회사" if n < 10 or n >= 60 or n % 5 == 4 else f"집안일 {n} #집"
             for n in range(110)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = [list(pool.map(lambda t: post(b, t), g))
               for g in (texts[:10], texts[10:60], texts[60:])]
    company = "#tag=%ED%9A%8C%EC%82%AC"
    with Chromium(env, "filter-write") as wd:
        open_page(wd, env, name)
        # 더 보기 pressed while the filtered list loads: no next page may
        # be asked then.  Its cursor would be the old list's and its
        # filter the new one's; answered after the new list, it would
        # skip the memos between the two cursors.  Hence the groups: two
        # pages of all memos end at the middle group's oldest, the first
        # #회사 page at the newest group's oldest, and the middle group's
        # ten #회사 lie between, so the cards would show such a skip (the
        # count of next pages asked while loading says what caused it).
        # The new list is held 1.5 s, a next page 2.5 s.
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.querySelectorAll('#memos li').length === 100"
                " && document.getElementById('more').textContent === '더 보기'",
                "the second page of all memos")
        eq(wd.js(SHOWN)[-1], min(ids[1]), "the old list's cursor: the middle group's oldest")
        wd.js("window.__f0 = window.fetch; window.__busyMore = 0;"
              "window.fetch = function (u, i) { u = String(u);"
              " var more = /before=/.test(u) && !/limit=1(&|$)/.test(u);"
              " if (more && document.getElementById('view-memos').hasAttribute('aria-busy'))"
              "  window.__busyMore++;"
              " if (!/tag=/.test(u)) return window.__f0(u, i);"
              " return new Promise(function (ok) { setTimeout(ok, more ? 2500 : 1500); })"
              "  .then(function () { return window.__f0(u, i); }); };")
        wd.js("location.hash = arguments[0]", company)
        wd.wait("return document.getElementById('view-memos').hasAttribute('aria-busy')",
                "the filtered list loading")
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 70개'",
                "the #회사 filter")
        time.sleep(3)           # past any next page held back
        eq(wd.js("return window.__busyMore"), 0, "no next page asked while the list loaded")
        shown = wd.js(SHOWN)
        want = [m["id"] for m in b.get(f"/memo?tag=%ED%9A%8C%EC%82%AC&limit={len(shown)}")
                .json()["memos"]]
        eq(shown, want, "the cards: the newest #회사 memos, none skipped")
        wd.js("window.fetch = window.__f0")
        wd.go(env.web_prefix.url + company)
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 70개'",
                "the #회사 filter")
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.querySelectorAll('#memos li').length === 70",
                "the second page loaded")
        wd.js("document.querySelector('#memos li:last-child').__kept = true;")

        # Matching: on top, counted, and the loaded pages stay as they are.
        write(wd, "새 안건 #회사")
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 71개'",
                "the new memo counted")
        eq(wd.js(CARDS)[0], "새 안건 #회사", "on top")
        eq(len(wd.js(CARDS)), 71, "every card loaded before, and the new one")
        check(wd.js("return document.querySelector('#memos li:last-child').__kept === true"),
              "the list was not loaded anew (the last card is the same element)")
        eq(status(wd), "저장했습니다.", "saved")

        # Not matching: saved, not shown, and the status says why.
        write(wd, "저녁 약속 #친구")
        wd.wait("return /맞지 않아/.test(document.getElementById('status').textContent)",
                "the status for a memo the filter leaves out")
        eq(status(wd), "저장했습니다. 지금 필터(#회사)에 맞지 않아 목록에는 보이지 않습니다.",
           "what the status says")
        eq(wd.text("#count"), "#회사 메모 71개", "the count unchanged")
        check("저녁 약속 #친구" not in wd.js(CARDS), "not in the list")
        check("저녁 약속 #친구" in [t for t, _, _ in memos(env, name).values()],
              "in the database")

        # Search and tag: the server's search decides (here Latin case).
        wd.js("var s = document.getElementById('search'); s.value = 'agenda';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 0개'",
                "agenda within #회사")
        write(wd, "AGENDA 정리 #회사")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the new memo found by the search")
        eq(wd.js(CARDS), ["AGENDA 정리 #회사"], "shown")
        write(wd, "agenda 초안")
        wd.wait("return /맞지 않아/.test(document.getElementById('status').textContent)",
                "a search match without the tag")
        eq(status(wd), "저장했습니다. 지금 필터(검색어 ‘agenda’, #회사)에 맞지 않아 "
           "목록에는 보이지 않습니다.", "both filters named")

        # The filter cleared while the page asks whether the new memo
        # matches: the question is dropped (it never says "맞지 않아"), and
        # the list without a filter shows the memo.
        wd.js("window.__asked = 0; var f1 = window.fetch; window.fetch = function (u, i) {"
              " if (!/before=/.test(String(u)) || !/limit=1(&|$)/.test(String(u)))"
              "  return f1(u, i);"
              " window.__asked++;"
              " return new Promise(function (ok) { setTimeout(ok, 1500); })"
              "  .then(function () { return f1(u, i); }); };")
        write(wd, "늦게 확인한 메모 #집")
        wd.wait("return window.__asked === 1", "the page asking about the new memo")
        wd.js("Array.from(document.querySelectorAll('#filter .chip')).pop().click()")
        wd.wait("return /^메모 \\d+개$/.test(document.getElementById('count').textContent)",
                "the list without a filter")
        # The save's last word, once the held answer is in and settled.
        wd.wait("return document.getElementById('status').textContent === '저장했습니다.'",
                "the save said done, with no verdict on a filter gone")
        eq(wd.js(CARDS)[0], "늦게 확인한 메모 #집", "the new memo on top of the new list")

        # A failed save: what failed, why, then that the text is kept.
        wd.js("window.__fail = [503, 'database unavailable']; var f = window.fetch;"
              " window.fetch = function (u, i) {"
              " if (i && i.method === 'POST' && String(u) === 'memo')"
              "  return Promise.resolve(new Response(JSON.stringify("
              "   {error: window.__fail[1]}), {status: window.__fail[0],"
              "   headers: {'Content-Type': 'application/json'}}));"
              " return f(u, i); };")
        write(wd, "못 쓴 메모")
        wd.wait("return /저장하지 못했습니다/.test(document.getElementById('status').textContent)",
                "the failure")
        eq(status(wd), "저장하지 못했습니다. 서버가 데이터베이스에 연결하지 못했습니다. "
           "잠시 후 다시 시도해 주세요. 쓴 내용은 이 브라우저에 남아 있습니다.",
           "the reason before what is kept")
        eq(wd.js("return document.getElementById('memo-text').value"), "못 쓴 메모",
           "the text still in the box")
        # A 4xx the page has no words of its own for is no server error,
        # and trying again later would not help: it says it was refused.
        wd.js("window.__fail = [415, 'Content-Type must be application/json'];")
        wd.click("#memo-save")
        wd.wait("return /\\(415\\)/.test(document.getElementById('status').textContent)",
                "the 415")
        eq(status(wd), "저장하지 못했습니다. 서버가 요청을 거절했습니다 (415). "
           "쓴 내용은 이 브라우저에 남아 있습니다.", "refused, no retry promised")
        eq(wd.js("return document.getElementById('memo-text').value"), "못 쓴 메모",
           "the text still in the box")
        no_problems(wd, "write under a filter")
        print(f"    saw: {wd.text('#count')}, status {status(wd)!r}")


XSS = ("<img src=x onerror=\"window.__xss=1;document.title='pwned'\">"
       " <script>window.__xss=2</script>"
       " [누르기](javascript:window.__xss=3) javascript:window.__xss=4"
       " #<b>굵게</b> #태그<img src=x onerror=\"window.__xss=5\">"
       " https://safe.example/\"onmouseover=\"window.__xss=6")


def slow_tags(ms):
    """A script for a new document: fetch answers GET tags ms late."""
    return ("window.__f0 = window.fetch; window.fetch = function (u, i) {"
            " if (String(u) !== 'tags') return window.__f0(u, i);"
            f" return new Promise(function (ok) {{ setTimeout(ok, {int(ms)}); }})"
            "  .then(function () { return window.__f0(u, i); }); };")


# A script for a new document: GET tags answered 503 at once (the
# server's JSON error), window.__tagsRefused set when it has been.
TAGS_REFUSED = ("window.__f0 = window.fetch; window.fetch = function (u, i) {"
                " if (String(u) !== 'tags') return window.__f0(u, i);"
                " window.__tagsRefused = true;"
                " return Promise.resolve(new Response('{\"error\":\"database unavailable\"}',"
                "  {status: 503, headers: {'Content-Type': 'application/json'}})); };")


@test
@page_logic
def page_tag_bar_with_list(env):
    """Page: on opening, the list waits for the tag bar (up to a second: TAGS_WAIT), so the bar does not come in above the cards a moment after they are drawn and push them down under the pointer; a tag bar later than that does not hold the list back, and tags refused (503) neither hold the list nor fail it"""
    name = "페이지 태그 막대"
    b = api(env, name)
    post(b, "장보기 #집")
    with Chromium(env, "tag-bar") as wd:
        open_page(wd, env, name)
        for ms, bar in ((400, False), (4000, True)):
            stub = wd.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": slow_tags(ms)})
            wd.refresh()
            wd.wait(LOADED, f"the list, the tags answered {ms} ms late")
            wd.cdp("Page.removeScriptToEvaluateOnNewDocument", stub)
            eq(wd.js(TAG_BAR_HIDDEN), bar,
               f"tags {ms} ms late: the tag bar {'not yet' if bar else 'there'} with the list")
        settled(lambda: wd.js(TAG_BAR_HIDDEN), False, "the late tag bar, after")
        eq(wd.js(CARDS), ["장보기 #집"], "the card")
        # Tags refused: the list neither waits nor fails; no bar.
        stub = wd.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": TAGS_REFUSED})
        wd.refresh()
        wd.wait(LOADED, "the list, the tags refused")
        wd.cdp("Page.removeScriptToEvaluateOnNewDocument", stub)
        eq(wd.js("return window.__tagsRefused === true"), True, "the tags were asked and refused")
        eq(wd.js(CARDS), ["장보기 #집"], "the card, the tags refused")
        eq(wd.js(TAG_BAR_HIDDEN), True, "no tag bar, the tags refused")
        eq(wd.text("#count"), "메모 1개", "the count, the tags refused")
        eq(status(wd), "", "nothing said of the tags refused")
        no_problems(wd, "the tag bar with the list")


# The trash's lists: a next page (before= in its URL) answered 1 s late,
# a fresh one held until window.__release() is called.  window.__moreAsked
# and window.__trashMore count the next pages asked for and answered.
SLOW_TRASH = ("window.__f0 = window.fetch; window.__trashMore = window.__moreAsked = 0;"
              " var held = [];"
              " window.__release = function () { held.forEach(function (f) { f(); }); };"
              " window.fetch = function (u, i) { var s = String(u);"
              " if (s.indexOf('trash=true') < 0) return window.__f0(u, i);"
              " if (!/[?&]before=/.test(s)) return new Promise(function (ok) { held.push(ok); })"
              "  .then(function () { return window.__f0(u, i); });"
              " window.__moreAsked++;"
              " return new Promise(function (ok) { setTimeout(ok, 1000); })"
              "  .then(function () { return window.__f0(u, i); })"
              "  .then(function (r) { window.__trashMore++; return r; }); };")
TRASH_IDS = ("return Array.from(document.querySelectorAll('#trash-list li'))"
             ".map(function (l) { return Number(l.dataset.id); })")


@test
@page_logic
def page_trash_more_during_refresh(env):
    """Page 휴지통: 더 보기 pressed while the trash is being read anew (its tab pressed again) asks for nothing: a next page asked before the refresh, answering first, had let it ask for the page after the old list's last, which came after the fresh first page and left out the pages between"""
    name = "페이지 휴지통 더 보기"
    b = api(env, name)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = sorted(pool.map(lambda i: post(b, f"버린 메모 {i}"), range(155)), reverse=True)
    env.db.client(database="memo", stdin=(
        "UPDATE memo SET deleted_at = UTC_TIMESTAMP(), version = version + 1"
        f" WHERE user_id = '{naver_id(name)}'"))
    # 더 보기 pressed without bringing it into view: near the screen it
    # loads the next page by itself (IntersectionObserver).
    more_unseen = "document.getElementById('trash-more').click()"
    with Chromium(env, "trash-more-refresh") as wd:
        open_page(wd, env, name)
        wd.click("#nav a[data-view='trash']")
        wd.wait("return document.querySelectorAll('#trash-list li').length === 50", "page 1")
        wd.js(more_unseen)
        wd.wait("return document.querySelectorAll('#trash-list li').length === 100", "page 2")
        wd.js(SLOW_TRASH)
        wd.js(more_unseen)                      # page 3, late
        wd.click("#nav a[data-view='trash']")        # the trash anew, held
        wd.wait("return window.__trashMore === 1", "the late page 3 answered (and left out)")
        wd.js(more_unseen)                      # while the fresh list is on its way
        eq(wd.js("return window.__moreAsked"), 1, "no next page asked for meanwhile")
        wd.js("window.__release()")
        wd.wait("return document.getElementById('trash-count').textContent === '휴지통 메모 155개'"
                " && document.querySelectorAll('#trash-list li').length === 50",
                "the fresh page 1")
        wd.js(AFTER_TIMERS, 1500)                   # a page asked meanwhile would be in by now
        eq(wd.js(TRASH_IDS), ids[:50], "the fresh first page, nothing after it")
        wd.js("window.fetch = window.__f0")
        wd.js(more_unseen)
        wd.wait("return document.querySelectorAll('#trash-list li').length === 100", "page 2 again")
        eq(wd.js(TRASH_IDS), ids[:100], "pages 1 and 2, none left out")
        no_problems(wd, "더 보기 during a refresh")


def tick_first(wd, todo):
    """Tick the first box of memo todo (its card then knows its version);
    returns the script that says the card is no longer busy."""
    busy_over = f"return !document.querySelector('{card(todo)}[aria-busy]')"
    wd.click(f"{card(todo)} .body input[data-line='1']")
    wd.wait(busy_over + f" && document.querySelector(\"{card(todo)} input[data-line='1']\").checked",
            "the first box ticked")
    return busy_over


def hold_patch(key, name):
    """A script: PATCHes whose body has key held until
    window.__release<name>() (the first is sent then); window.__<name>Held
    (name lower-cased at its start) says one is waiting, and
    window.__<name>Answer is the last one's answer, once it is sent."""
    low = f"window.__{name[0].lower()}{name[1:]}"
    return ("window.__f0 = window.fetch; var held = [];"
            f" {low}Held = false;"
            f" window.__release{name} = function () {{ held.forEach(function (f) {{ f(); }}); }};"
            " window.fetch = function (u, i) {"
            f" if (!i || i.method !== 'PATCH' || !('{key}' in JSON.parse(i.body)))"
            "  return window.__f0(u, i);"
            f" {low}Held = true;"
            f" return {low}Answer = new Promise(function (ok) {{ held.push(ok); }})"
            "  .then(function () { return window.__f0(u, i); }); };")


# PATCHes with a text held until window.__releaseText(); window.__textHeld.
HOLD_TEXT_PATCH = hold_patch("text", "Text")


@test
@page_logic
def page_tick_crossing_an_edit_elsewhere(env):
    """Page: a tick whose memo was edited on another device, the new text reaching the card by 고정 pressed meanwhile, is refused, not retried: the retry (for a version changed only by a pin) compared the 412's text with the card's new one, and wrote the old text with the tick over the other device's edit"""
    name = "페이지 체크 중 수정"
    b = api(env, name)
    todo = post(b, "장보기\n- [ ] 우유\n- [ ] 두부")
    with Chromium(env, "tick-crossing-edit") as wd:
        open_page(wd, env, name)
        busy_over = tick_first(wd, todo)
        elsewhere = "장보기\n- [x] 우유\n- [ ] 두부\n- [ ] 빵"
        eq(b.patch_json(f"/memo/{todo}", {"text": elsewhere}).status, 200, "edited elsewhere")
        wd.js(HOLD_TEXT_PATCH)
        wd.click(f"{card(todo)} .body input[data-line='2']")
        wd.wait("return window.__textHeld", "the tick's PATCH held")
        wd.click(card(todo, ".card-actions .pin"))
        wd.wait("return document.getElementById('status').textContent === '고정했습니다.'",
                "pinned meanwhile, the new text with it")
        wd.js("window.__releaseText()")
        wd.wait(busy_over + " && document.getElementById('status').className === 'error'",
                "the tick refused")
        wd.js("window.fetch = window.__f0")
        eq(memos(env, name)[todo], (elsewhere, True, False), "the other device's edit kept")
        eq(status(wd), "다른 곳에서 바뀐 메모를 새로 불러왔습니다. 확인하고 다시 눌러 주세요.",
           "said")
        no_problems(wd, "a tick crossing an edit elsewhere")


@test
@page_logic
def page_tick_after_pin_elsewhere(env):
    """Page: a checklist box ticked after the memo was pinned on another device (the card's ETag old, its text the same) is saved on the new version, the pin kept; it was refused as a memo changed elsewhere, the tick dropped"""
    name = "페이지 고정 뒤 체크"
    b = api(env, name)
    todo = post(b, "장보기\n- [ ] 우유\n- [ ] 두부")
    with Chromium(env, "tick-after-pin") as wd:
        open_page(wd, env, name)
        busy_over = tick_first(wd, todo)
        eq(b.patch_json(f"/memo/{todo}", {"pinned": True}).status, 200, "pinned elsewhere")
        wd.js(PATCHES)
        wd.click(f"{card(todo)} .body input[data-line='2']")
        wd.wait(busy_over + " && window.__patches.length >= 2", "두부 ticked, asked twice")
        settled(lambda: memos(env, name)[todo], ("장보기\n- [x] 우유\n- [x] 두부", True, False),
                "both ticked, the pin kept")
        eq(wd.js(f"return document.querySelector(\"{card(todo)} input[data-line='2']\").checked"),
           True, "the box shown ticked")
        check(wd.js("return document.getElementById('status').className") != "error",
              f"nothing said to be wrong: {status(wd)!r}")
        no_problems(wd, "a tick after a pin elsewhere")


@test
@page_logic
def page_checklists_links_xss(env):
    """Page: - [ ] lines toggle with a PATCH (If-Match), http(s) URLs are links (noopener noreferrer), an XSS memo is literal text and runs nothing"""
    name = "페이지 할 일"
    b = api(env, name)
    todo = post(b, "할 일 #집\n- [ ] 우유 사기\n- [x] 빨래\n  - [ ] 들여쓴 일 https://a.example/x\n끝")
    with Chromium(env, "checklist") as wd:
        open_page(wd, env, name)
        boxes = f"{card(todo)} > .body input[type='checkbox']"
        eq(wd.js(f"return Array.from(document.querySelectorAll(\"{boxes}\")).map("
                 "function (c) { return c.checked; })"), [False, True, False],
           "three checkboxes, as written")
        eq(wd.js(f"return Array.from(document.querySelectorAll(\"{card(todo)} .check-text\"))"
                 ".map(function (c) { return c.textContent; })"),
           ["우유 사기", "빨래", "들여쓴 일 https://a.example/x"], "their labels")
        eq(wd.js("var b = document.querySelector(arguments[0]);"
                 "return document.getElementById(b.getAttribute('aria-labelledby')).textContent;",
                 boxes), "우유 사기", "each box labelled by its text")
        wd.js("window.__patches = []; var f = window.fetch; window.fetch = function (u, i) {"
              " if (i && i.method === 'PATCH') window.__patches.push([String(u),"
              " i.headers['If-Match'] || null, JSON.parse(i.body)]); return f(u, i); };")
        wd.click(f"{card(todo)} .check input[data-line='1']")
        wd.wait(f"return !document.querySelector('{card(todo)}[aria-busy]') &&"
                f" document.querySelector(\"{card(todo)} input[data-line='1']\").checked",
                "the box checked and saved")
        want = "할 일 #집\n- [x] 우유 사기\n- [x] 빨래\n  - [ ] 들여쓴 일 https://a.example/x\n끝"
        eq(text_of(env, todo), want, "the line changed in the database, nothing else")
        patches = wd.js("return window.__patches")
        eq(len(patches), 1, "one PATCH")
        check(patches[0][0] == f"memo/{todo}" and re.fullmatch(r'"[^"]+"', patches[0][1] or "")
              and patches[0][2] == {"text": want}, f"PATCH memo/{todo} with If-Match: {patches}")
        # Clicking the text toggles too; unchecking writes "- [ ]".
        wd.click(f"{card(todo)} input[data-line='2'] + .check-text")
        wd.wait(f"return !document.querySelector('{card(todo)}[aria-busy]') &&"
                f" !document.querySelector(\"{card(todo)} input[data-line='2']\").checked",
                "빨래 unchecked")
        want = want.replace("- [x] 빨래", "- [ ] 빨래")
        eq(text_of(env, todo), want, "unchecked in the database")
        # Changed elsewhere since the card was drawn: the page reloads the
        # memo instead of writing over it.
        b.patch_json(f"/memo/{todo}", {"text": want + "\n- [ ] 다른 기기에서 추가"})
        wd.click(f"{card(todo)} .check input[data-line='3']")
        wd.wait(f"return document.querySelectorAll(\"{boxes}\").length === 4",
                "the card redrawn with the other device's line")
        eq(text_of(env, todo), want + "\n- [ ] 다른 기기에서 추가", "nothing overwritten")
        check("다른 곳에서 바뀐" in status(wd), f"said why: {status(wd)!r}")
        eq(wd.js(f"return document.querySelector(\"{card(todo)} input[data-line='3']\").checked"),
           False, "the box as stored")
        # Then the person's click works.
        wd.click(f"{card(todo)} .check input[data-line='3']")
        wd.wait(f"return !document.querySelector('{card(todo)}[aria-busy]') &&"
                f" document.querySelector(\"{card(todo)} input[data-line='3']\").checked",
                "checked now")
        eq(text_of(env, todo), want.replace("  - [ ] 들여쓴", "  - [x] 들여쓴") +
           "\n- [ ] 다른 기기에서 추가", "that line only")

        # Links: made from http(s) URLs only, opening safely.
        links = wd.js(f"return Array.from(document.querySelectorAll(\"{card(todo)} a\"))"
                      ".map(function (a) { return [a.href, a.rel, a.target, a.textContent]; })")
        eq(links, [["https://a.example/x", "noopener noreferrer", "_blank",
                    "https://a.example/x"]], "the link")

        # An XSS memo typed into the form: literal text, nothing runs.
        write(wd, XSS.replace("#<b>", "#<b>"))
        wd.wait(f"return {CARDS[7:-1]}[0] === arguments[0]", "the XSS memo as text", 15, XSS)
        wd.refresh()
        wd.wait(LOADED, "after a reload")
        xid = max(memos(env, name))
        eq(text_of(env, xid), XSS, "stored as typed")
        eq(wd.js(f"return document.querySelector('{card(xid)} > .body').textContent"), XSS,
           "shown as typed")
        eq(wd.js("return [window.__xss === undefined, document.title.indexOf('pwned'),"
                 " document.querySelectorAll('#view-memos img, #view-memos script,"
                 " #view-memos b').length]"), [True, -1, 0], "no script ran, no element made")
        eq(wd.js(f"return Array.from(document.querySelectorAll('{card(xid)} a'))"
                 ".map(function (a) { return a.getAttribute('href'); })"),
           ["https://safe.example/"], "one link: the https URL, cut at the quote")
        eq(wd.js("return document.querySelectorAll(\"a[href^='javascript'], a[href^='JAVASCRIPT']\")"
                 ".length"), 0, "no javascript: link")
        eq(wd.js(f"return Array.from(document.querySelectorAll('{card(xid)} .tag'))"
                 ".map(function (t) { return t.textContent; })"), ["#태그"],
           "only #태그 is a tag; #<b> is not")
        wd.wait("return Array.from(document.querySelectorAll('#tag-list .chip'))"
                ".some(function (c) { return c.dataset.tag === '태그'; })", "the tag list")
        eq(wd.js("return document.querySelectorAll('#tag-list img, #tag-list b').length"), 0,
           "the tag list made no element")
        # Searching for the HTML marks it as text.
        wd.js("var s = document.getElementById('search'); s.value = '<img';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the search for <img")
        eq(wd.js("return Array.from(document.querySelectorAll('#view-memos mark'))"
                 ".map(function (m) { return m.textContent; })"), ["<img", "<img"], "marked")
        eq(wd.js("return window.__xss === undefined"), True, "still nothing ran")
        no_problems(wd, "xss")
        print(f"    saw: boxes toggled via PATCH with If-Match {patches[0][1]}, link {links[0][0]}, XSS memo shown as"
              f" {len(XSS)} characters of text")


COMPOSE = """
var t = arguments[0] ? document.getElementById(arguments[0]) : document.activeElement;
t.focus();
function ev(type, init) {
  var e = type.indexOf('composition') === 0 ?
    new CompositionEvent(type, Object.assign({bubbles: true}, init)) :
    new KeyboardEvent(type, Object.assign({bubbles: true, cancelable: true}, init));
  t.dispatchEvent(e);
  return e.defaultPrevented;
}
"""


def compose(wd, field, script):
    return wd.js(COMPOSE + script, field)


# window.__writes counts the requests that write (any but GET).
COUNT_WRITES = ("window.__writes = 0; var f = window.fetch; window.fetch = function (u, i) {"
                " if (i && i.method && i.method !== 'GET') window.__writes++; return f(u, i); };")
# What a save of the new memo does within the task that starts it
# (submitNew(): the form busy, the request sent): [busy, writes sent].
NEW_SAVING = ("[document.getElementById('memo-form').hasAttribute('aria-busy'),"
              " window.__writes]")
# Resolves after the tasks queued before it, and `ms` more: a timer set
# by the page for less than that has run by then.
AFTER_TIMERS = ("var ms = arguments[0];"
                " return new Promise(function (ok) { setTimeout(ok, ms); })")


def drafts_stored(wd):
    return wd.js("return Object.keys(localStorage).filter(function (k) {"
                 " return k.indexOf('memo.drafts') === 0; }).length")


@test
@page_logic
def page_korean_ime(env):
    """Page: Enter, Ctrl+Enter and Esc never act during an IME composition (compositionstart/end, isComposing); each acts within its key's own task, so nothing having acted by the task's end, or after the timers the page set, is checked there"""
    name = "페이지 한글 입력"
    b = api(env, name)
    mid = post(b, "고칠 메모")
    with Chromium(env, "ime") as wd:
        open_page(wd, env, name)
        wd.js(COUNT_WRITES)
        # Ctrl+Enter while "요" is still being composed: nothing yet.
        seen = compose(wd, "memo-text", """
            t.value = '안녕하세'; t.dispatchEvent(new Event('input', {bubbles: true}));
            ev('compositionstart', {data: ''});
            t.value = '안녕하세요';
            ev('keydown', {key: 'Enter', code: 'Enter', ctrlKey: true, isComposing: true,
                           keyCode: 229});
            return """ + NEW_SAVING)
        eq(seen, [False, 0], "nothing saved mid-composition: [busy, writes sent]")
        wd.js(AFTER_TIMERS, 400)
        eq(wd.js("return window.__writes"), 0, "nor after the page's timers")
        eq(memos(env, name), {mid: ("고칠 메모", False, False)}, "the rows as they were")
        eq(wd.js("return document.getElementById('memo-text').value"), "안녕하세요",
           "the text untouched")
        # The composition ends: the memo is saved with its last syllable.
        compose(wd, "memo-text", "ev('compositionend', {data: '요'});")
        wd.wait("return document.getElementById('count').textContent === '메모 2개'",
                "saved once the composition ended")
        check("안녕하세요" in [t for t, _, _ in memos(env, name).values()], "with its last syllable")

        # Enter in a checklist line: during a composition it belongs to the IME.
        compose(wd, "memo-text", """
            t.value = '- [ ] 두부'; t.setSelectionRange(7, 7);
            ev('compositionstart', {data: ''});
            ev('keydown', {key: 'Enter', code: 'Enter', isComposing: true, keyCode: 229});
            ev('compositionend', {data: '부'});""")
        eq(wd.js("return document.getElementById('memo-text').value"), "- [ ] 두부",
           "no new checklist line during the composition")
        # The browser then breaks the line itself (the IME had the Enter):
        # that line break starts the next item, as an Enter of its own
        # does (it was left a plain line break: Korean mostly ends a line
        # mid-composition).  One not after such an Enter (a paste) is left.
        compose(wd, "memo-text", """
            t.setRangeText('\\n', 8, 8, 'end');
            t.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertLineBreak'}));""")
        eq(wd.js("return document.getElementById('memo-text').value"), "- [ ] 두부\n- [ ] ",
           "the IME's line break starts the next item")
        compose(wd, "memo-text", """
            t.value = '- [ ] 두부'; t.setSelectionRange(8, 8);
            t.setRangeText('\\n', 8, 8, 'end');
            t.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertLineBreak'}));""")
        eq(wd.js("return document.getElementById('memo-text').value"), "- [ ] 두부\n",
           "a line break after no Enter of the IME's is left as it is")
        wd.js("var t = document.getElementById('memo-text'); t.value = '- [ ] 두부';"
              " t.setSelectionRange(8, 8);")
        wd.keys(KEY["end"] + KEY["enter"])
        eq(wd.js("return document.getElementById('memo-text').value"), "- [ ] 두부\n- [ ] ",
           "Enter after it starts the next item")
        wd.keys(KEY["enter"])
        eq(wd.js("return document.getElementById('memo-text').value"), "- [ ] 두부\n",
           "Enter on an empty item ends the list")

        # Safari sends the key that ends a composition after compositionend,
        # with keyCode 229: no compositionend follows that Ctrl+Enter, so it
        # saves at once, and the next composition's end saves nothing.
        writes = wd.js("return window.__writes")
        seen = compose(wd, "memo-text", """
            t.value = '사파리 메'; t.dispatchEvent(new Event('input', {bubbles: true}));
            ev('compositionstart', {data: ''});
            t.value = '사파리 메모';
            ev('compositionend', {data: '모'});
            ev('keydown', {key: 'Enter', code: 'Enter', ctrlKey: true, keyCode: 229});
            return """ + NEW_SAVING)
        eq(seen, [True, writes + 1], "Safari's Ctrl+Enter saves within its task: [busy, writes sent]")
        wd.wait("return document.getElementById('count').textContent === '메모 3개'",
                "saved by Ctrl+Enter after compositionend (Safari)")
        compose(wd, "memo-text", """
            t.value = '다음'; t.dispatchEvent(new Event('input', {bubbles: true}));
            ev('compositionstart', {data: ''});
            t.value = '다음 메모';
            ev('compositionend', {data: '모'});""")
        wd.js(AFTER_TIMERS, 400)    # a pending save would start on a 0 ms timer
        eq(wd.js("return window.__writes"), writes + 1, "a later composition's end sent nothing")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["고칠 메모", "사파리 메모", "안녕하세요"], "nor stored anything")
        eq(wd.js("return document.getElementById('memo-text').value"), "다음 메모",
           "its text still being written")

        # In the editor: Esc and Ctrl+Enter wait for the composition too.
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        writes = wd.js("return window.__writes")
        prevented = compose(wd, f"edit-{mid}", """
            ev('compositionstart', {data: ''});
            t.value = '고칠 메모 수정';
            return [ev('keydown', {key: 'Escape', code: 'Escape', isComposing: true,
                                   keyCode: 229}),
                    ev('keydown', {key: 'Enter', code: 'Enter', ctrlKey: true,
                                   isComposing: true, keyCode: 229}),
                    !!document.querySelector(arguments[1] + '.editing'),
                    document.getElementById('dialog').open, window.__writes];""".replace(
            "arguments[1]", json.dumps(card(mid))))
        eq(prevented, [False, True, True, False, writes],
           "during the composition: [Esc left to the IME, Ctrl+Enter held back,"
           " still editing, a question asked, writes sent]")
        wd.js(AFTER_TIMERS, 400)
        check(wd.js(f"return !!document.querySelector('{card(mid)}.editing')"
                    " && !document.getElementById('dialog').open"),
              "nor after the page's timers")
        eq(wd.js("return window.__writes"), writes, "no save sent yet")
        eq(text_of(env, mid), "고칠 메모", "and nothing stored")
        compose(wd, f"edit-{mid}", "ev('compositionend', {data: '정'});")
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')",
                "saved once the composition ended")
        eq(text_of(env, mid), "고칠 메모 수정", "the edit stored")
        # Esc with no composition cancels.
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        wd.keys(KEY["esc"])
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "Esc closed it")

        # The search box: Enter during a composition does not search.  A
        # search starts within the key's own task (searchNow: q= in the URL,
        # the list busy, its requests sent), so the script that sends the
        # key sees it; and later, past SEARCH_DELAY, nothing either.
        wd.js(COUNT_SEARCHES)
        seen = compose(wd, "search", """
            t.value = '고칠';
            ev('compositionstart', {data: ''});
            return [ev('keydown', {key: 'Enter', code: 'Enter', isComposing: true,
                                   keyCode: 229}),
                    location.hash, document.getElementById('view-memos').hasAttribute('aria-busy'),
                    window.__searches];""")
        eq(seen, [False, "", False, 0], "Enter left to the IME: [held back, the URL's hash,"
           " the list busy, search requests]")
        wd.js(AFTER_TIMERS, 600)    # past SEARCH_DELAY (300 ms)
        eq(wd.js("return [location.hash, window.__searches]"), ["", 0], "no search since")
        eq(wd.text("#count"), "메모 3개", "the list as it was")
        no_problems(wd, "ime")
        print(f"    saw: held back {prevented} during composition; rows"
              f" {sorted(t for t, _, _ in memos(env, name).values())}")


SAID_CHANGED = ("return /^그사이에 휴지통이 바뀌어/.test(document.getElementById('status')"
                ".textContent)")
EMPTIED = ("return document.querySelectorAll('#trash-list li').length === 0 &&"
           " !document.getElementById('trash-none').hidden")


def confirm_empty(wd, n, what):
    """휴지통 비우기, its question naming n memos, confirmed."""
    wd.click("#trash-empty")
    wd.wait("return document.getElementById('dialog').open", what)
    check(f"{n}개" in wd.text("#dialog-content"), wd.text("#dialog-content"))
    wd.click("#dialog-actions button.danger")


@test
@page_logic
def page_trash_empty_changed_meanwhile(env):
    """Page: 휴지통 비우기 confirmed for the trash the view counted purges nothing if the trash changed meanwhile (another device put a memo there, also while it restored another: the same count, other memos): it shows the trash anew and says so; confirmed again, it purges what it now shows; a memo this view restored itself is no change"""
    name = "페이지 휴지통 바뀜"
    b = api(env, name)
    first, second = post(b, "먼저 지운 메모"), post(b, "다른 기기에서 지운 메모")
    eq(b.request("DELETE", f"/memo/{first}").status, 204, "one memo in the trash")
    with Chromium(env, "trash-changed") as wd:
        open_page(wd, env, name)
        wd.click("#nav a[data-view='trash']")
        wd.wait("return document.getElementById('trash-count').textContent === '휴지통 메모 1개'",
                "the trash, one memo")
        eq(b.request("DELETE", f"/memo/{second}").status, 204, "another device trashes one")
        confirm_empty(wd, 1, "the confirmation")
        wd.wait(SAID_CHANGED, "said the trash changed")
        eq(wd.text("#trash-count"), "휴지통 메모 2개", "the trash shown anew")
        eq(len(wd.js("return Array.from(document.querySelectorAll('#trash-list li'))"
                     ".map(function (li) { return li.id; })")), 2, "both cards")
        eq(sorted(memos(env, name)), sorted([first, second]), "nothing purged")

        confirm_empty(wd, 2, "the confirmation again")
        wd.wait(EMPTIED, "the empty trash")
        eq(memos(env, name), {}, "both purged")

        # The same count, other memos: one restored on another device and
        # another put there.  The count alone purged the one never shown.
        a, kept, c = (post(b, t) for t in ("복원될 메모", "남을 메모", "나중에 지운 메모"))
        for mid in (a, kept):
            eq(b.request("DELETE", f"/memo/{mid}").status, 204, "to the trash")
        wd.click("#nav a[data-view='memos']")
        wd.click("#nav a[data-view='trash']")
        wd.wait("return document.getElementById('trash-count').textContent === '휴지통 메모 2개'"
                " && document.querySelectorAll('#trash-list li').length === 2",
                "the trash, two memos")
        eq(b.request("POST", f"/memo/{a}/restore").status, 200, "another device restores one")
        eq(b.request("DELETE", f"/memo/{c}").status, 204, "and trashes another")
        confirm_empty(wd, 2, "the confirmation")
        wd.wait(SAID_CHANGED, "said the trash changed: the same count, other memos")
        eq(sorted(memos(env, name)), sorted([a, kept, c]), "nothing purged")
        wd.wait(f"return !!document.getElementById('trash-{c}')", "the new one shown")
        # This view's own 복원 takes its memo out of the key: no 412 then.
        wd.click(f"#trash-{kept} .restore")
        wd.wait(f"return !document.getElementById('trash-{kept}')", "restored here")
        confirm_empty(wd, 1, "the confirmation again")
        wd.wait(EMPTIED, "the empty trash")
        eq(sorted(memos(env, name)), sorted([a, kept]), "the one shown purged, no other")
        no_problems(wd, "trash changed meanwhile")


@test
@page_logic
def page_trash_late_answers(env):
    """Page 휴지통: a 복원 answered after the list was read anew (the view left and opened again) leaves the new list right: the count and the cards as the server has them (it took the memo out of the new list's entries and counted it twice); 휴지통 비우기 cannot be sent twice while it runs; emptied elsewhere meanwhile, it says the trash is already empty (it said the trash had changed, "지금 0개", and not emptied)"""
    name = "페이지 휴지통 늦은 답"
    b = api(env, name)
    ids = [post(b, f"늦은 답 {n}") for n in range(3)]
    for mid in ids:
        eq(b.request("DELETE", f"/memo/{mid}").status, 204, "to the trash")
    shows = ("return document.getElementById('trash-count').textContent === '휴지통 메모 {n}개'"
             " && document.querySelectorAll('#trash-list li').length === {n}")
    with Chromium(env, "trash-late") as wd:
        open_page(wd, env, name)
        wd.click("#nav a[data-view='trash']")
        wd.wait(shows.format(n=3), "the trash, three memos")
        wd.js(SLOW_OR_LOST, "POST", "late")
        wd.click(f"#trash-{ids[0]} .restore")
        wd.click("#nav a[data-view='memos']")
        wd.click("#nav a[data-view='trash']")
        wd.wait("return window.__slowAnswered === 1", "the 복원 answered, late")
        wd.js("window.fetch = window.__f0")
        wd.wait(shows.format(n=2) + f" && !document.getElementById('trash-{ids[0]}')",
                "the list as the server has it: two")
        # 휴지통 비우기, slow: the button is off until it is answered.
        wd.js(SLOW_OR_LOST, "DELETE", "late")
        confirm_empty(wd, 2, "the confirmation")
        # (The dialog's answer reaches the page a frame after the click:
        # waited for, not read at once.)
        wd.wait("return window.__slowAsked === 1 &&"
                " document.getElementById('trash-empty').disabled",
                "sent, and off while it runs (its answer 1.5 s away)")
        wd.wait(EMPTIED, "emptied")
        eq(wd.js("return window.__slowAsked"), 1, "sent once")
        wd.js("window.fetch = window.__f0")
        eq(sorted(memos(env, name)), [ids[0]], "the two purged, the restored one kept")
        # Emptied on another device meanwhile.
        eq(b.request("DELETE", f"/memo/{ids[0]}").status, 204, "one more in the trash")
        wd.click("#nav a[data-view='memos']")
        wd.click("#nav a[data-view='trash']")
        wd.wait(shows.format(n=1), "the trash, one memo")
        eq(b.request("DELETE", "/trash").json(), {"purged": 1}, "emptied elsewhere")
        confirm_empty(wd, 1, "the confirmation")
        wd.wait("return document.getElementById('status').textContent === "
                "'휴지통이 이미 비어 있습니다.'", "said it is already empty")
        wd.wait(EMPTIED, "the empty trash shown")
        no_problems(wd, "late answers in the trash")


@test
@page_logic
def page_logout_forgets_drafts(env):
    """Page: 로그아웃 has this browser forget the person's drafts (the next person at a shared computer could read them): with text not saved yet it asks first; 취소 stays logged in with the text, 지우고 로그아웃 leaves no draft, 남겨 두고 로그아웃 keeps it for the next login here; with none, no question"""
    name = "페이지 로그아웃 초안"
    api(env, name)
    sessions = f"SELECT COUNT(*) FROM sessions WHERE user_id = '{naver_id(name)}'"
    with Chromium(env, "logout-drafts") as wd:
        open_page(wd, env, name)
        live = int(q(env, sessions)[0][0])
        wd.type("#memo-text", "공용 PC에서 쓴 비밀 초안")
        check(draft_holds(wd, "비밀 초안"), "the draft kept")
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked first")
        eq(wd.text("#dialog-title"), "저장하지 않은 내용이 있습니다", "the question")
        for w, h, mobile in SIZES.values():
            wd.viewport(w, h, mobile)
            for scheme in ("light", "dark"):
                wd.scheme(scheme)
                wd.screenshot(f"logout-question-{w}px-{scheme}")
            wd.scheme("light")
            check(wd.js("var r = document.getElementById('dialog-actions')"
                        ".getBoundingClientRect(); return r.right <= innerWidth + 0.5"),
                  f"its three buttons within a {w} px screen")
        wd.click("#dialog-actions button[value=no]")
        wd.wait("return !document.getElementById('dialog').open", "cancelled")
        check(wd.js("return document.body.classList.contains('user')"), "still logged in")
        check(draft_holds(wd, "비밀 초안"), "the draft still kept")
        eq(int(q(env, sessions)[0][0]), live, "the session kept")

        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked again")
        wd.click("#dialog-actions button[value=forget]")
        wd.wait("return document.body.classList.contains('guest')", "logged out")
        eq(drafts_stored(wd), 0, "no draft left in this browser")
        eq(int(q(env, sessions)[0][0]), live - 1, "this browser's session ended")

        # Kept: the next login here brings it back.
        wd.login(env.web_prefix.url, name)
        wd.wait(LOADED, "the memo list")
        eq(wd.js("return document.getElementById('memo-text').value"), "",
           "the forgotten draft does not come back")
        wd.type("#memo-text", "남겨 둘 초안")
        check(draft_holds(wd, "남겨 둘 초안"), "the draft kept")
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked")
        wd.click("#dialog-actions button[value=keep]")
        wd.wait("return document.body.classList.contains('guest')", "logged out, draft kept")
        check(draft_holds(wd, "남겨 둘 초안"), "the draft still in this browser")
        wd.login(env.web_prefix.url, name)
        wd.wait(LOADED, "the memo list")
        eq(wd.js("return document.getElementById('memo-text').value"), "남겨 둘 초안",
           "back at the next login")

        # Nothing unsaved: out at once.
        wd.js(CLEAR_NEW_MEMO)
        check(not draft_holds(wd, "남겨 둘 초안"), "the emptied box keeps no draft")
        wd.click("#logout button")
        wd.wait("return document.body.classList.contains('guest')", "logged out, not asked")
        no_problems(wd, "logout and drafts")


@test
def page_logout_other_tabs(env):
    """Page: 로그아웃 in one tab takes the person's other open tabs to the login page too (their memos off the screen); after 지우고 로그아웃 no draft is left in this browser, not even the other tab's, past its heartbeat; after 남겨 두고 로그아웃 the other tab's draft comes back at the next login"""
    name = "페이지 다른 탭 로그아웃"
    api(env, name)
    guest = "return document.body.classList.contains('guest')"
    with Chromium(env, "logout-tabs") as wd:
        open_page(wd, env, name)
        first = wd.handle()
        wd.type("#memo-text", "첫 탭의 비밀")
        second = wd.new_tab()
        wd.go(env.web_prefix.url)
        wd.wait(LOADED, "tab 2's list")
        wd.type("#memo-text", "둘째 탭의 비밀")
        check(draft_holds(wd, "둘째 탭의 비밀"), "tab 2's draft kept")
        wd.js(LEAVING_TOLD)
        wd.switch(first)
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked first")
        wd.click("#dialog-actions button[value=forget]")
        wd.wait(guest, "tab 1 logged out")
        wd.switch(second)
        wd.wait(guest, "tab 2 at the login page too")
        eq(wd.js("return window.name"), "asked:false",
           "tab 2's text forgotten on the person's word: the browser not told to ask")
        check(not wd.js("return !!document.querySelector('#memo-text')"
                        " && document.querySelector('#memo-text').offsetParent !== null"),
              "tab 2 shows no memo box")
        time.sleep(6)                       # a heartbeat (5 s) would write again
        eq(drafts_stored(wd), 0, "no draft of either tab left in this browser")
        no_problems(wd, "tab 2 after the logout")

        # Kept: tab 2's text comes back at the next login.
        wd.login(env.web_prefix.url, name)
        wd.wait(LOADED, "tab 2 logged in again")
        wd.switch(first)
        wd.go(env.web_prefix.url)
        wd.wait(LOADED, "tab 1 logged in again")
        wd.switch(second)
        wd.type("#memo-text", "남겨 둘 둘째 탭 초안")
        wd.switch(first)
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked: tab 2 has text")
        wd.click("#dialog-actions button[value=keep]")
        wd.wait(guest, "tab 1 logged out, drafts kept")
        wd.switch(second)
        wd.wait(guest, "tab 2 at the login page too")
        check(draft_holds(wd, "남겨 둘 둘째 탭 초안"), "tab 2's draft kept")
        wd.login(env.web_prefix.url, name)
        wd.wait(LOADED, "logged in again")
        eq(wd.js("return document.getElementById('memo-text').value"), "남겨 둘 둘째 탭 초안",
           "back at the next login")
        no_problems(wd, "logout in another tab")


@test
def page_drafts_survive_expired_session(env):
    """Page: a new memo and an edit being typed survive a reload and an expired session (row expired in the database, reload, log in again); a closed tab's drafts are taken over by another tab with nothing typed lost"""
    name = "페이지 초안"
    b = api(env, name)
    mid = post(b, "원래 내용")
    with Chromium(env, "drafts") as wd:
        open_page(wd, env, name)
        wd.type("#memo-text", "새 메모 초안\n- [ ] 잊지 말 것")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                "the editor, with the memo read")
        wd.keys(" 에 덧붙이는 중")
        eq(drafts_stored(wd), 1, "drafts kept in this browser")

        # A reload brings both back.
        wd.refresh()
        wd.wait(f"return !!document.querySelector('{card(mid)}.editing')",
                "the editor reopened")
        eq(wd.js("return document.getElementById('memo-text').value"),
           "새 메모 초안\n- [ ] 잊지 말 것", "the new memo's draft")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"),
           "원래 내용 에 덧붙이는 중", "the edit's draft")
        eq(wd.text(f"{card(mid)} .editor-note"), "저장하지 않은 수정 내용을 되살렸습니다.",
           "said so")
        eq(wd.js("return document.activeElement.id"), f"edit-{mid}",
           "the first load puts the focus back into the edit (nothing else had it)")

        # The session expires; saving says so and keeps the text.
        env.db.client(database="memo", stdin=(
            "UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND"
            f" WHERE user_id = '{naver_id(name)}'"))
        wd.click(f"#edit-{mid}")
        wd.keys(KEY["end"] + "!" + CTRL_ENTER)
        wd.wait("return !!document.getElementById('relogin')", "the expired-session message")
        check(status(wd).startswith("로그인이 만료되었습니다."), status(wd))
        eq(wd.js("return document.getElementById('relogin').getAttribute('href')"), "login",
           "a relative link to log in again")
        eq(text_of(env, mid), "원래 내용", "nothing saved")
        if env.web.mode == "cgi":
            wd.screenshot("expired")

        # Reload: the guest page.  Log in again: everything is back.
        wd.refresh()
        wd.wait("return document.body.classList.contains('guest')", "the guest page")
        wd.login(env.web_prefix.url, name)
        wd.wait(f"return !!document.querySelector('{card(mid)}.editing')",
                "the editor reopened after logging in again")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"),
           "원래 내용 에 덧붙이는 중!", "the edit's draft, last key included")
        eq(wd.js("return document.getElementById('memo-text').value"),
           "새 메모 초안\n- [ ] 잊지 말 것", "the new memo's draft")

        # Saved: the drafts are gone.
        wd.click(f"#edit-{mid}")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the edit saved")
        eq(text_of(env, mid), "원래 내용 에 덧붙이는 중!", "the edit stored")
        wd.click("#memo-save")
        wd.wait("return document.getElementById('count').textContent === '메모 2개'",
                "the new memo saved")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           sorted(["원래 내용 에 덧붙이는 중!", "새 메모 초안\n- [ ] 잊지 말 것"]), "both rows")
        eq(drafts_stored(wd), 0, "no draft left once saved")
        wd.refresh()
        wd.wait(LOADED, "a reload")
        eq(wd.js("return document.getElementById('memo-text').value"), "", "nothing comes back")
        no_problems(wd, "drafts")
        after_login = status(wd)

        # Two tabs, each typing a new memo and an edit of the same memo.
        edited = text_of(env, mid)
        first = wd.handle()
        wd.type("#memo-text", "탭 1의 새 메모")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                "tab 1's editor, with the memo read")
        wd.keys(" (탭 1)")
        second = wd.new_tab()
        wd.go(env.web_prefix.url)
        wd.wait(LOADED, "tab 2's list")
        eq(wd.js("return document.getElementById('memo-text').value"), "",
           "tab 2 does not take the drafts of a tab still open")
        wd.type("#memo-text", "탭 2의 새 메모")
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return !!document.querySelector('{card(mid)} .editor[data-read]')",
                "tab 2's editor, with the memo read")
        wd.keys(" (탭 2)")
        no_problems(wd, "tab 2")

        # Tab 1 is closed; tab 2, reloaded, takes over its drafts: the
        # newer edit stays the edit, the older one's text and both new
        # memos are in the box, oldest first, and the status says so.
        wd.switch(first)
        wd.close_tab()
        wd.switch(second)
        wd.wait("return Object.keys(localStorage).some(function (k) {"
                " if (k.indexOf('memo.drafts') !== 0) return false;"
                " var t = JSON.parse(localStorage.getItem(k)).tabs;"
                " return Object.keys(t).some(function (i) { return t[i].seen === 0; }); })",
                "the closed tab said goodbye")
        wd.refresh()
        wd.wait(f"return !!document.querySelector('{card(mid)}.editing')",
                "tab 2's editor reopened")
        eq(wd.js(f"return document.getElementById('edit-{mid}').value"),
           edited + " (탭 2)", "the newer edit in the editor")
        eq(wd.js("return document.getElementById('memo-text').value"),
           "탭 1의 새 메모\n\n" + edited + " (탭 1)\n\n탭 2의 새 메모",
           "both new memos and the older edit, oldest first")
        moved = status(wd)
        eq(moved, "같은 메모를 고치던 다른 탭의 내용을 새 메모 칸에 옮겨 두었습니다."
           " 나중에 고친 내용은 그 메모의 수정 칸에 있습니다.", "the status says so")
        eq(text_of(env, mid), edited, "nothing saved by the takeover")
        no_problems(wd, "taken over")
        print(f"    saw: drafts back after reload and after a new login; {after_login!r};"
              f" a closed tab's taken over: {moved!r}")


DRAFT_KEYS = ("return Object.keys(localStorage).filter(function (k) {"
              " return k.indexOf('memo.drafts') === 0; }).sort()")


@test
@page_logic
def page_logout_text_not_kept(env):
    """Page: 로그아웃 with text the browser cannot keep (storage refused) says it will be lost, with 취소 and 버리고 로그아웃 (it offered to keep it for the next login); 버리고 로그아웃 logs out without the browser asking again before leaving; screenshots 1280 px and 390 px, light and dark"""
    name = "페이지 보관 못한 로그아웃"
    with Chromium(env, "logout-unkept") as wd:
        open_page(wd, env, name)
        wd.js(BLOCK_STORAGE)
        wd.type("#memo-text", "보관 못 한 메모")
        eq(wd.js(ASKS_BEFORE_LEAVING), True, "leaving is asked")
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked first")
        eq((wd.text("#dialog-title"), wd.text("#dialog-content")),
           ("저장하지 않은 내용이 있습니다", "이 브라우저는 쓰던 내용을 보관할 수 없어 로그아웃하면"
            " 사라집니다. 남기려면 취소하고 먼저 저장하세요."), "the question")
        eq(wd.js("return Array.from(document.querySelectorAll('#dialog-actions button'))"
                 ".map(function (b) { return b.textContent; })"), ["취소", "버리고 로그아웃"],
           "its choices: no keeping")
        state_shots(wd, "logout-unkept", "the question of text not kept",
                    whole="var r = document.getElementById('dialog-actions')"
                          ".getBoundingClientRect(); return r.right <= innerWidth + 0.5")
        wd.click("#dialog-actions button[value=no]")
        wd.wait("return !document.getElementById('dialog').open", "cancelled")
        check(wd.js("return document.body.classList.contains('user')"), "still logged in")
        eq(wd.js("return document.getElementById('memo-text').value"), "보관 못 한 메모",
           "the text still there")
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked again")
        eq(wd.js(ASKS_BEFORE_LEAVING), True, "the browser would ask while the page asks")
        # What the page told the browser as it left, kept in window.name
        # (it outlives the navigation; the storage is refused): this
        # Chromium, driven, does not show the question itself.
        wd.js(LEAVING_TOLD)
        wd.click("#dialog-actions button[value=yes]")
        wd.wait("return document.body.classList.contains('guest')", "logged out")
        eq(wd.js("return window.name"), "asked:false", "the browser not told to ask again")
        no_problems(wd, "logout with text not kept")


@test
@page_logic
def page_drafts_one_per_mount_point(env):
    """Page: the drafts are kept per mount point, not per address: what is typed at /memo/ comes back at /memo/index.cgi (the same page), in one storage entry (it was one entry per path, so each address hid the other's drafts and a logout at one left the other's); an entry the previous version kept under the whole path joins it and goes; 로그아웃 forgetting removes every entry of the mount point"""
    name = "페이지 주소 초안"
    with Chromium(env, "drafts-mount") as wd:
        open_page(wd, env, name)
        wd.type("#memo-text", "주소가 달라도 남는 초안")
        check(draft_holds(wd, "주소가 달라도 남는 초안"), "the draft kept")
        wd.go(env.web_prefix.url + "index.cgi")
        wd.wait(LOADED, "the list at index.cgi")
        eq(wd.js("return document.getElementById('memo-text').value"), "주소가 달라도 남는 초안",
           "the draft back at the other address")
        keys = wd.js(DRAFT_KEYS)
        prefix = urllib.parse.urlsplit(env.web_prefix.url).path
        check(len(keys) == 1 and keys[0].startswith(f"memo.drafts.v1:{prefix}:"),
              f"one entry, for the mount point {prefix}: {keys}")
        user = keys[0].rsplit(":", 1)[1]

        # An entry the previous version kept under the whole path joins
        # this one's, and goes.
        old = f"memo.drafts.v1:{prefix}index.cgi:{user}"
        wd.js("localStorage.setItem(arguments[0], JSON.stringify({tabs: {old: {seen: 0,"
              " fresh: {text: '옛 주소의 초안', at: Date.now()}, edits: {}}}}))", old)
        wd.refresh()
        wd.wait(LOADED, "the list at index.cgi again")
        box = wd.js("return document.getElementById('memo-text').value")
        check("주소가 달라도 남는 초안" in box and "옛 주소의 초안" in box,
              f"the old entry's draft joined this one's: {box!r}")
        eq(wd.js(DRAFT_KEYS), keys, "the old entry gone, one left")

        # 로그아웃, forgetting: every entry of this mount point goes, not
        # another person's nor a mount point's below it.
        others = sorted([f"memo.drafts.v1:{prefix}sub/:{user}",
                         f"memo.drafts.v1:{prefix}:{'f' * 64}"])
        for k in [f"memo.drafts.v1:{prefix}other.cgi:{user}"] + others:
            wd.js("localStorage.setItem(arguments[0], '{\"tabs\": {}}')", k)
        wd.click("#logout button")
        wd.wait("return document.getElementById('dialog').open", "asked first")
        wd.click("#dialog-actions button[value=forget]")
        wd.wait("return document.body.classList.contains('guest')", "logged out")
        eq(wd.js(DRAFT_KEYS), others, "this mount point's entries gone, the others left")
        no_problems(wd, "drafts per mount point")


@test
@page_logic
def page_delete_fails_across_a_search(env):
    """Page: a delete that fails after a search has loaded a new list puts nothing back by itself: the list is read again, which has the memo once (it put its old card back beside the new list's: two cards of one memo, the count one too many); one that succeeds after a list read before it leaves no card of the deleted memo"""
    name = "페이지 삭제 중 검색"
    b = api(env, name)
    gone = post(b, "회의 지울 메모")
    post(b, "회의 남을 메모")
    post(b, "장보기")
    cards_of = ("return document.querySelectorAll("
                "'#view-memos li.memo[data-id=\"' + arguments[0] + '\"]').length")
    with Chromium(env, "delete-across-search") as wd:
        open_page(wd, env, name)
        wd.js(FAIL_LATE, "DELETE", f"memo/{gone}")
        wd.click(card(gone, ".card-actions .delete"))
        search(wd, "회의")
        wd.wait("return /^삭제하지 못했습니다/.test(document.getElementById('status').textContent)"
                " && " + LOADED[len("return "):], "the failure said, the list loaded")
        wd.js("window.fetch = window.__f0")
        eq(wd.js(cards_of, gone), 1, "one card of the memo not deleted")
        eq((sorted(wd.js(CARDS)), wd.text("#count")),
           (["회의 남을 메모", "회의 지울 메모"], "검색 결과 2개"), "the search's list")
        eq(memos(env, name)[gone][1:], (False, False), "the memo live")

        # Deleted, the answer late, a list read meanwhile.
        wd.js(SLOW_OR_LOST, "DELETE", "late")
        wd.click(card(gone, ".card-actions .delete"))
        search(wd, "메모")
        wd.wait("return window.__slowAnswered === 1 && " + LOADED[len("return "):],
                "the delete answered, the list loaded")
        wd.wait(f"return !document.querySelector('{card(gone)}') && " + LOADED[len("return "):],
                "no card of the deleted memo")
        wd.js("window.fetch = window.__f0")
        eq((wd.js(CARDS), wd.text("#count")), (["회의 남을 메모"], "검색 결과 1개"),
           "the list without it")
        no_problems(wd, "a delete across a search")


# Lists of memos (GET memo?…) read by the server at once, their answers
# arguments[0] ms late; window.__listsLate counts those answered.
LISTS_LATE = ("window.__f0 = window.fetch; window.__listsLate = 0; var ms = arguments[0];"
              " window.fetch = function (u, i) {"
              " if (!/^memo\\?/.test(String(u)) || (i && i.method && i.method !== 'GET'))"
              "  return window.__f0(u, i);"
              " return window.__f0(u, i).then(function (r) { return new Promise(function (ok) {"
              "  setTimeout(function () { window.__listsLate++; ok(r); }, ms); }); }); };")


@test
@page_logic
def page_writes_while_a_list_loads(env):
    """Page: a list read by the server before a write but answered after it does not undo the write on the screen: a memo deleted meanwhile is not shown live again, a new memo saved meanwhile stays, one put back by 실행 취소 stays and has the focus on its 수정 once the list is in; a delete that fails while the list read anew fails too puts the card back, once"""
    name = "페이지 목록 중 쓰기"
    b = api(env, name)
    gone = post(b, "회의 지울 메모")
    post(b, "회의 남을 메모")
    cards_of = ("return document.querySelectorAll("
                "'#view-memos li.memo[data-id=\"' + arguments[0] + '\"]').length")
    with Chromium(env, "writes-while-loading") as wd:
        open_page(wd, env, name)
        wd.js(LISTS_LATE, 1000)
        search(wd, "회의")
        wd.click(card(gone, ".card-actions .delete"))
        wd.wait("return window.__listsLate >= 2 && " + LOADED[len("return "):],
                "the late list in, and the one read after the delete")
        wd.js(AFTER_TIMERS, 1200)
        eq((wd.js(cards_of, gone), wd.text("#count")), (0, "검색 결과 1개"),
           "the deleted memo not shown live again")
        eq(memos(env, name)[gone][2], True, "it is in the trash")

        search(wd, "")
        wd.wait("return location.hash === '' && window.__listsLate >= 4 && "
                + LOADED[len("return "):], "the whole list")
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
        wd.js("window.fetch = window.__f0")
        wd.js(LISTS_LATE, 3000)     # the save below must land before it
        wd.click("#nav a[data-view='memos']")        # the list read anew, late
        wd.type("#memo-text", "회의 새 메모")
        wd.keys(CTRL_ENTER)
        eq(wd.js("return window.__listsLate"), 0, "saved before the late list came")
        wd.wait(SAVED + " && " + LOADED[len("return "):], "saved, the lists in", 15)
        wd.js(AFTER_TIMERS, 1200)
        eq(sorted(wd.js(CARDS)), ["회의 남을 메모", "회의 새 메모"], "the new memo stays listed")
        wd.js("window.fetch = window.__f0")

        # 실행 취소 while a list read before it is on its way: the card
        # back, and the focus on its 수정 once that list is in.
        undone = next(i for i, (t, _, _) in memos(env, name).items() if t == "회의 새 메모")
        wd.click(card(undone, ".card-actions .delete"))
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null", "the toast")
        wd.js(LISTS_LATE, 2000)
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden", "휴지통")
        wd.click("#nav a[data-view='memos']")        # the list read anew, late
        wd.js("document.querySelector('#toast .toast-action').click()")
        wd.wait("return document.getElementById('status').textContent === '삭제를 취소했습니다.'",
                "undone", 15)
        eq(wd.js("return window.__listsLate >= 2 && " + LOADED[len("return "):]), True,
           "said once the lists were in")
        eq(wd.js(FOCUSED), ["edit", "수정: 회의 새 메모", False], "the focus on its 수정")
        check(wd.js(f"return document.querySelector('{card(undone)}').contains("
                    "document.activeElement)"), "in the card shown")
        wd.js("window.fetch = window.__f0")
        search(wd, "회의")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 2개'",
                "the search again")

        # The delete fails, and so does the list read anew.
        keep = next(i for i, (t, _, _) in memos(env, name).items() if t == "회의 남을 메모")
        wd.js(FAIL_LATE, "DELETE", f"memo/{keep}")
        wd.js("var f = window.fetch; window.fetch = function (u, i) {"
              " if (/^memo\\?/.test(String(u))) return Promise.resolve(new Response("
              "  '{\"error\":\"database unavailable\"}', {status: 503,"
              "  headers: {'Content-Type': 'application/json'}})); return f(u, i); };")
        wd.click(card(keep, ".card-actions .delete"))
        search(wd, "메모")      # another filter: its list, read anew, fails
        wd.wait("return /^삭제하지 못했습니다/.test(document.getElementById('status').textContent)"
                " && " + LOADED[len("return "):], "the failure said")
        wd.js("window.fetch = window.__f0.__f0 || window.__f0")
        eq(wd.js(cards_of, keep), 1, "its card back, once")
        eq(memos(env, name)[keep][2], False, "the memo live")
        no_problems(wd, "writes while a list loads")


# What the page tells the browser as it leaves (whether to ask first),
# kept in window.name, which outlives the navigation: the driven Chromium
# does not show the question itself.
LEAVING_TOLD = ("window.name = ''; addEventListener('beforeunload', function (e) {"
                " window.name = 'asked:' + e.defaultPrevented; })")
# Whether the page asks the browser to confirm leaving (beforeunload).
ASKS_BEFORE_LEAVING = ("var e = new Event('beforeunload', {cancelable: true});"
                       " dispatchEvent(e); return e.defaultPrevented")


@test
def page_expired_without_drafts(env):
    """Page: the login expires while an edit is typed in a browser that keeps no drafts (storage blocked or full): the page does not promise the text comes back after logging in again; its link logs in in a new tab, this tab keeps the editor with the text and saves it once that is done; meanwhile leaving the page (a reload, closing the tab, 로그아웃) is asked first, which a browser keeping the drafts does not need"""
    name = "페이지 초안 없이 만료"
    b = api(env, name)
    mid = post(b, "원래 내용")
    with Chromium(env, "expired-no-drafts") as wd:
        open_page(wd, env, name)
        wd.type("#memo-text", "보관되는 초안")
        check(draft_holds(wd, "보관되는 초안"), "a draft kept")
        eq(wd.js(ASKS_BEFORE_LEAVING), False, "kept: leaving is not asked")
        wd.js(CLEAR_NEW_MEMO)
        wd.js(BLOCK_STORAGE)
        open_editor(wd, mid)
        eq(wd.js(ASKS_BEFORE_LEAVING), False, "an editor with nothing changed: not asked")
        wd.keys(" 보관하지 못한 수정")
        eq(drafts_stored(wd), 0, "no draft kept by this browser")
        eq(wd.js(ASKS_BEFORE_LEAVING), True, "leaving is asked first")
        env.db.client(database="memo", stdin=(
            "UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND"
            f" WHERE user_id = '{naver_id(name)}'"))
        wd.keys(CTRL_ENTER)
        wd.wait("return !!document.getElementById('relogin')", "the expired-session message")
        said = status(wd)
        eq(said, "로그인이 만료되었습니다. 이 브라우저에는 쓰던 내용을 보관할 수 없으니"
           " 이 탭은 닫지 말고, 새 탭에서 다시 로그인한 뒤 여기서 다시 저장해 주세요."
           " 새 탭에서 다시 로그인", "no promise that the text comes back")
        eq(wd.js("var a = document.getElementById('relogin');"
                 " return [a.getAttribute('href'), a.target];"), ["login", "_blank"],
           "the login in a new tab, this page left as it is")
        eq(text_of(env, mid), "원래 내용", "nothing saved")
        # Logged in again in another tab: this one saves what it kept.
        first = wd.handle()
        wd.new_tab()
        wd.login(env.web_prefix.url, name)
        wd.switch(first)
        eq(wd.js(EDIT_VALUE, mid), "원래 내용 보관하지 못한 수정", "the text still in the editor")
        wd.click(f"#edit-{mid}")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "saved from this tab")
        eq(text_of(env, mid), "원래 내용 보관하지 못한 수정", "the row has the text")
        eq(status(wd), "저장했습니다.", "said so")
        eq(wd.js(ASKS_BEFORE_LEAVING), False, "saved: leaving is not asked")
        wd.type("#memo-text", "보관하지 못한 새 메모")
        eq(wd.js(ASKS_BEFORE_LEAVING), True, "a new memo not kept: asked")
        wd.js(CLEAR_NEW_MEMO)
        no_problems(wd, "expired without drafts")


@test
@page_logic
def page_draft_mends_stale_write(env):
    """Page: another tab's write that puts back an older copy of this tab's draft (its heartbeat read the entry a moment before this tab's keystroke) is mended by this tab's next write: a reload still brings back the last text typed"""
    name = "페이지 초안 경합"
    with Chromium(env, "drafts-stale") as wd:
        open_page(wd, env, name)
        wd.type("#memo-text", "첫 줄")
        key = wd.js("return Object.keys(localStorage).filter(function (k) {"
                    " return k.indexOf('memo.drafts.v1:') === 0; })[0]")
        check(key, "the draft stored")
        older = wd.js("return localStorage.getItem(arguments[0])", key)
        wd.keys(" 둘째 줄")
        check("둘째 줄" in wd.js("return localStorage.getItem(arguments[0])", key),
              "the newer text stored")
        # Another tab's write, from a copy read before the last keystroke.
        wd.js("localStorage.setItem(arguments[0], arguments[1])", key, older)
        wd.refresh()
        wd.wait(LOADED, "the reload")
        eq(wd.js("return document.getElementById('memo-text').value"), "첫 줄 둘째 줄",
           "the last text typed is back")
        no_problems(wd, "stale write mended")


@test
@page_logic
def page_draft_duplicated_tab(env):
    """Page: a duplicated tab (its sessionStorage, and so the id its drafts are kept under, a copy of the first's) does not write over the first's drafts: an edit typed in the first, then closed, is still kept after the second's heartbeats (each wrote its part from memory, and the closed one's edit went at the next heartbeat)"""
    name = "페이지 초안 복제 탭"
    b = api(env, name)
    mid = post(b, "복제 탭 메모")
    with Chromium(env, "drafts-dup") as wd:
        open_page(wd, env, name)
        first = wd.handle()
        tab_id = wd.js("return sessionStorage.getItem('memo.tab')")
        check(tab_id, "the first tab's id")
        # What Duplicate Tab makes: a second page under the same id.
        second = wd.new_tab()
        wd.go(env.web_prefix.url)
        wd.wait(LOADED, "tab 2's list")
        wd.js("sessionStorage.setItem('memo.tab', arguments[0])", tab_id)
        wd.refresh()
        wd.wait(LOADED, "tab 2 again, under tab 1's id")
        wd.type("#memo-text", "둘째 탭의 새 메모")
        wd.switch(first)
        open_editor(wd, mid)
        wd.keys(" 첫째 탭에서 고침")
        check(draft_holds(wd, "첫째 탭에서 고침"), "tab 1's edit kept")
        wd.close_tab()
        wd.switch(second)
        time.sleep(6)   # a heartbeat of tab 2 (every 5 s)
        check(draft_holds(wd, "첫째 탭에서 고침"), "the closed tab's edit still kept")
        check(draft_holds(wd, "둘째 탭의 새 메모"), "and tab 2's new memo")
        no_problems(wd, "duplicated tab")


@test
@page_logic
def page_edit_unchanged_leaves_no_draft(env):
    """Page: an edit typed and then put back to the memo's text, saved (Ctrl+Enter), closes without a PATCH and leaves no draft: a reload does not offer an unsaved edit that is the memo itself"""
    name = "페이지 그대로 저장"
    b = api(env, name)
    mid = post(b, "바뀌지 않을 메모")
    with Chromium(env, "edit-unchanged") as wd:
        open_page(wd, env, name)
        wd.js(PATCHES)
        open_editor(wd, mid)
        wd.keys(" 덧")
        check(draft_holds(wd, "바뀌지 않을 메모 덧"), "the typing kept as a draft")
        wd.js(f"var t = document.getElementById('edit-{mid}'); t.value = '바뀌지 않을 메모';"
              "t.dispatchEvent(new Event('input'));")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "the editor closed")
        eq(wd.js("return window.__patches"), [], "nothing sent: nothing changed")
        eq(drafts_stored(wd), 0, "no draft left in this browser")
        wd.refresh()
        wd.wait(LOADED, "the list after a reload")
        eq(wd.js("return document.querySelectorAll('#view-memos li.editing').length"), 0,
           "no editor reopened")
        eq(wd.js(CARDS), ["바뀌지 않을 메모"], "the card")
        eq(text_of(env, mid), "바뀌지 않을 메모", "the row unchanged")
        eq(revisions(env, mid), [], "no revision")
        no_problems(wd, "unchanged edit")


@test
@page_logic
def page_draft_of_memo_not_listed(env):
    """Page: an edit kept in the drafts whose memo the first list after a reload has not (left out by the search the page opens with, or moved to the trash elsewhere) comes back on top, kept aside with its text and a note saying why; saved, the row has it; cancelled, it goes; screenshots 1280 px and 390 px, light and dark"""
    name = "페이지 목록 밖 초안"
    b = api(env, name)
    run = post(b, "운동 계획")
    post(b, "장보기 목록")
    gone = post(b, "버릴 메모")
    with Chromium(env, "draft-not-listed") as wd:
        open_page(wd, env, name)
        open_editor(wd, run)
        wd.keys(" 수정 중")
        open_editor(wd, gone)
        wd.keys(" 고치던 것")
        eq(b.request("DELETE", f"/memo/{gone}").status, 204, "trashed by another device")
        # 장보기 (URL-encoded): a search the memos being edited do not match.
        wd.go(env.web_prefix.url + "#q=%EC%9E%A5%EB%B3%B4%EA%B8%B0")
        wd.refresh()
        wd.wait(LOADED, "the page from a search URL")
        eq(wd.text("#count"), "검색 결과 1개", "the search's count, the drafts' memos not in it")
        wd.wait(f"return !!document.querySelector('{card(run)}.editing.aside') &&"
                f" !!document.querySelector('{card(gone)}.editing.aside')",
                "both editors back, kept aside")
        eq(wd.js(EDIT_VALUE, run), "운동 계획 수정 중", "the edit's text")
        eq(wd.js(EDIT_VALUE, gone), "버릴 메모 고치던 것", "the other edit's text")
        eq(wd.js(ASIDE_NOTE, run), "지금 필터(검색어 ‘장보기’)에 맞지 않는 메모입니다."
           " 수정을 마칠 때까지 여기에 둡니다.", "why it is on top")
        eq(wd.js(ASIDE_NOTE, gone), "다른 곳에서 삭제된 메모입니다."
           " 수정을 마칠 때까지 여기에 둡니다.", "why the other is")
        eq(wd.js(CARDS), ["장보기 목록"], "the list is the search's")
        state_shots(wd, "drafts-aside", "editors kept aside")
        wd.click(f"#edit-{run}")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.getElementById('memo-{run}')", "saved, gone from the search")
        eq(text_of(env, run), "운동 계획 수정 중", "the row has the draft's text")
        wd.click(card(gone, ".editor .actions .secondary"))
        wd.wait("return document.getElementById('dialog').open", "the discard question")
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.getElementById('memo-{gone}')", "cancelled, gone")
        eq(drafts_stored(wd), 0, "no draft left")
        eq(memos(env, name)[gone], ("버릴 메모", False, True), "the trashed memo untouched")
        no_problems(wd, "drafts of memos not listed")


def purge(b, memo_id):
    """memo_id deleted for good by another device."""
    eq(b.request("DELETE", f"/memo/{memo_id}").status, 204, "to the trash elsewhere")
    eq(b.request("DELETE", f"/trash/{memo_id}").status, 204, "deleted for good elsewhere")


@test
@page_logic
def page_draft_of_memo_deleted_for_good(env):
    """Page: an edit kept in the drafts whose memo was deleted for good elsewhere before a reload is not left unseen: its text goes to the new-memo box, and the page says so, once that box is empty: at once if nothing is written there, else after what is written there is saved (said meanwhile), never into it (with an IME composition ended by a click on 저장 or a held Ctrl+Enter, it was saved with the person's memo, unseen); an edit that changed nothing goes without a word; the edits of several memos gone at once come together, a blank line between two, a text two of them hold once; a 404 not the server's (a proxy's page) moves nothing; screenshots of the sentence saying an edit waits, 1280 px and 390 px, light and dark, the sentence whole on the screen"""
    name = "페이지 영구 삭제된 초안"
    b = api(env, name)
    gone = post(b, "영구 삭제될 메모")
    same = post(b, "안 고친 메모")
    post(b, "남는 메모")
    moved = "영구 삭제된 메모를 고치던 내용을 새 메모 칸에 옮겨 두었습니다."
    with Chromium(env, "draft-deleted-for-good") as wd:
        open_page(wd, env, name)
        open_editor(wd, gone)
        wd.keys(" 고치던 문장")
        open_editor(wd, same)
        wd.js("var t = document.getElementById('edit-' + arguments[0]);"
              " t.value = t.value + ' 잠깐'; t.dispatchEvent(new Event('input', {bubbles: true}));"
              " t.value = t.value.replace(' 잠깐', '');"
              " t.dispatchEvent(new Event('input', {bubbles: true}))", same)
        wd.type("#memo-text", "새로 쓰던 메모")
        for mid in (gone, same):
            purge(b, mid)
        wd.refresh()
        wd.wait(LOADED, "the list after the reload")
        wd.wait("return document.getElementById('status').textContent.indexOf('영구 삭제') >= 0",
                "the page says an edit waits")
        eq(status(wd), WAITING, "what it says")
        state_shots(wd, "draft-waiting", "the sentence saying an edit waits", at="#status",
                    whole=STATUS_WHOLE)
        eq(wd.js("return document.getElementById('memo-text').value"), "새로 쓰던 메모",
           "the box as the person left it")
        eq(wd.js("return document.querySelectorAll('#view-memos li.memo.editing').length"), 0,
           "no editor for a memo that is gone")
        eq(wd.js(CARDS), ["남는 메모"], "the list")
        check(draft_holds(wd, "고치던 문장"), "the edit still kept meanwhile")
        wd.click("#memo-text")
        wd.keys(CTRL_ENTER)
        settled(lambda: wd.js("return document.getElementById('memo-text').value"),
                "영구 삭제될 메모 고치던 문장", "once saved, the edit's text in the box")
        settled(lambda: status(wd), moved, "and said")
        eq(edits_stored(wd), [0], "no edit draft left for the memos gone")
        check(draft_holds(wd, "고치던 문장"), "the new memo's draft has the edit's text")
        wd.keys(CTRL_ENTER)
        wd.wait("return document.getElementById('memo-text').value === ''", "saved")
        eq(sorted(t for t, _, _ in memos(env, name).values()),
           ["남는 메모", "새로 쓰던 메모", "영구 삭제될 메모 고치던 문장"],
           "the rows: each text its own memo")

        # A memo gone while nothing is being written: the edit's text alone.
        again = post(b, "또 지울 메모")
        wd.refresh()
        wd.wait(LOADED, "the list")
        open_editor(wd, again)
        wd.keys(" 추가")
        purge(b, again)
        wd.refresh()
        wd.wait(LOADED, "the list after the reload")
        settled(lambda: wd.js("return document.getElementById('memo-text').value"),
                "또 지울 메모 추가", "the edit's text alone, no blank line before it")
        eq(status(wd), moved, "said again")

        # Edits of three memos gone at once, two of them the same text:
        # the texts together, a blank line between two, the same one once,
        # without its trailing blanks.
        wd.js(CLEAR_NEW_MEMO)
        trio = [post(b, t) for t in ("셋 중 첫째", "셋 중 둘째", "셋 중 셋째")]
        wd.refresh()
        wd.wait(LOADED, "the list with them")
        open_editor(wd, trio[0])
        wd.keys(" 고침")
        open_editor(wd, trio[1])
        wd.js("var t = document.getElementById('edit-' + arguments[0]);"
              " t.value = '셋 중 첫째 고침'; t.dispatchEvent(new Event('input', {bubbles: true}))",
              trio[1])
        open_editor(wd, trio[2])
        wd.keys(" 끝  ")
        check(draft_holds(wd, "셋 중 셋째 끝  "), "the third edit kept, blanks and all")
        for mid in trio:
            purge(b, mid)
        wd.refresh()
        wd.wait(LOADED, "the list after the reload")
        settled(lambda: wd.js("return document.getElementById('memo-text').value"),
                "셋 중 첫째 고침\n\n셋 중 셋째 끝", "the two texts, a blank line between")
        eq(status(wd), moved, "said")
        eq(edits_stored(wd), [0], "no edit draft left of the three")

        # A syllable being composed in the box when the memo's 404 comes:
        # the box is left alone, also once the composition has ended
        # (there is text in it), until it is empty.
        edit_purge_compose(wd, b, "장보기 2 목록", "장보기", " 2", "장보기 2 목록\n다")
        wd.js("var t = document.getElementById('memo-text'); t.value = '장보기 2 목록\\n당';"
              " t.dispatchEvent(new CompositionEvent('compositionend', {data: '당'}));")
        time.sleep(0.6)
        eq(wd.js("return document.getElementById('memo-text').value"), "장보기 2 목록\n당",
           "the box untouched while something is written there")
        eq(status(wd), WAITING, "said")
        wd.js(CLEAR_NEW_MEMO)
        settled(lambda: wd.js("return document.getElementById('memo-text').value"),
                "장보기 2", "emptied by the person, the edit's text in it")

        # The composition ended by a click on 저장, or by a Ctrl+Enter
        # held through it: the new memo is saved as the person wrote it,
        # the edit's text goes to the box after.
        for how, end in (("click", "document.getElementById('memo-save').click();"),
                         ("Ctrl+Enter", "")):
            wd.js(CLEAR_NEW_MEMO)
            edit_purge_compose(wd, b, "", f"지워질 메모 {how}", " 고친 글", "새 메모 다")
            wd.js("var t = document.getElementById('memo-text');"
                  " if (!arguments[0]) t.dispatchEvent(new KeyboardEvent('keydown',"
                  "  {key: 'Enter', ctrlKey: true, isComposing: true, bubbles: true,"
                  "   cancelable: true}));"
                  " t.value = '새 메모 당';"
                  " t.dispatchEvent(new CompositionEvent('compositionend', {data: '당'}));"
                  " setTimeout(function () {" + end + "}, 20);", end)
            settled(lambda: wd.js("return document.getElementById('memo-text').value"),
                    f"지워질 메모 {how} 고친 글", f"{how}: after the save, the edit's text in the box")
            settled(lambda: status(wd), moved, f"{how}: and said")
            rows = [t for t, _, _ in memos(env, name).values()]
            eq(rows.count("새 메모 당"), 1 if how == "click" else 2,
               f"{how}: the new memo saved as written, without the edit's text")

        # A 404 that is not the server's (a proxy's page): the memo may be
        # there; the edit's draft stays, and nothing is said or moved.
        fourth = post(b, "남을 수도 있는 메모")
        wd.js(CLEAR_NEW_MEMO)
        wd.refresh()
        wd.wait(LOADED, "the list with it")
        open_editor(wd, fourth)
        wd.keys(" 고침")
        purge(b, fourth)
        stub = wd.cdp("Page.addScriptToEvaluateOnNewDocument",
                      {"source": proxy_404("GET", f"memo/{fourth}")})
        wd.refresh()
        wd.wait(LOADED, "the list after the reload")
        wd.cdp("Page.removeScriptToEvaluateOnNewDocument", stub)
        wd.wait("return window.__proxied", "the memo's read answered by the proxy")
        time.sleep(0.5)
        eq(wd.js("return [document.getElementById('memo-text').value,"
                 " document.getElementById('status').textContent]"), ["", ""],
           "nothing moved, nothing said")
        check(draft_holds(wd, "남을 수도 있는 메모 고침"), "the edit's draft kept")
        no_problems(wd, "a draft of a memo deleted for good")


# The status line on the screen, its text not running over its box.
STATUS_WHOLE = ("var s = document.getElementById('status'), r = s.getBoundingClientRect();"
                " return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight &&"
                "  s.scrollWidth <= s.clientWidth && s.scrollHeight <= s.clientHeight")
WAITING = ("영구 삭제된 메모를 고치던 내용이 있습니다. 지금 쓰는 새 메모를 저장하거나 비우면"
           " 새 메모 칸에 옮겨 둡니다.")


def edits_stored(wd):
    """How many edit drafts each tab part of this browser's drafts holds."""
    return wd.js("var v = JSON.parse(localStorage.getItem(Object.keys(localStorage).filter("
                 "function (k) { return k.indexOf('memo.drafts') === 0; })[0]));"
                 " return Object.keys(v.tabs).map(function (t) {"
                 " return Object.keys(v.tabs[t].edits).length; })")


def edit_purge_compose(wd, b, box, text, typed, composing):
    """With box in the new-memo box, a memo of text edited (typed added),
    deleted for good elsewhere; after a reload, its 404 answered while an
    IME composes the box's text into `composing`."""
    wd.js("var t = document.getElementById('memo-text'); t.value = arguments[0];"
          " t.dispatchEvent(new Event('input'));", box)
    memo_id = post(b, text)
    wd.refresh()
    wd.wait(LOADED, "the list with it")
    open_editor(wd, memo_id)
    wd.keys(typed)
    purge(b, memo_id)
    held = wd.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": HELD_GET % memo_id})
    wd.refresh()
    wd.wait(LOADED, "the list after the reload")
    wd.cdp("Page.removeScriptToEvaluateOnNewDocument", held)
    wd.js("var t = document.getElementById('memo-text'); t.focus();"
          " t.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));"
          " t.value = arguments[0]; t.dispatchEvent(new Event('input'));", composing)
    wd.js("window.__release()")
    wd.wait("return window.__got", "the memo's 404")


# Set before a page loads: fetch holds GET memo/<id> back until
# window.__release(); window.__got is true once the page has its answer.
HELD_GET = ("window.__f0 = window.fetch; window.__got = false;"
            " window.__held = new Promise(function (ok) { window.__release = ok; });"
            " window.fetch = function (u, i) {"
            "  if (String(u) !== 'memo/%d') return window.__f0(u, i);"
            "  return window.__held.then(function () { return window.__f0(u, i); })"
            "   .then(function (r) { setTimeout(function () { window.__got = true; }, 50);"
            "    return r; }); };")


# fetch sends the DELETE of the URL ending in arguments[0] 1.5 s late;
# window.__late is true once its answer is in (and the page has had it).
LATE_DELETE = ("window.__f0 = window.fetch; window.__late = false; var end = arguments[0];"
               "window.fetch = function (u, i) {"
               " if (!i || i.method !== 'DELETE' || !String(u).endsWith(end))"
               "  return window.__f0(u, i);"
               " return new Promise(function (ok) { setTimeout(ok, 1500); })"
               "  .then(function () { return window.__f0(u, i); }).then(function (r) {"
               "   setTimeout(function () { window.__late = true; }, 100); return r; }); };")
TOAST_TEXT = "return document.querySelector('#toast.show .toast-text').textContent"
# The toast within the screen, its message in at most two lines and its
# action on one (at 390 px it was four lines beside 실행 취소 a letter a line).
TOAST_WHOLE = ("var t = document.querySelector('#toast.show'), r = t.getBoundingClientRect();"
               " var lines = function (el) { var g = document.createRange();"
               "  g.selectNodeContents(el); return new Set(Array.from(g.getClientRects())"
               "   .map(function (x) { return Math.round(x.top); })).size; };"
               " return r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight &&"
               "  lines(t.querySelector('.toast-text')) <= 2 &&"
               "  lines(t.querySelector('.toast-action')) === 1")


@test
@page_logic
def page_undo_names_its_memo(env):
    """Page: two deletes in quick succession, the first one's answer coming last: the toast is the last delete's and names its memo, and 실행 취소 puts back exactly that memo (the first one's late answer took the toast over, and its undo restored the other memo); screenshots 1280 px and 390 px, light and dark, the toast whole on a 390 px screen (it was four lines beside a 실행 취소 of a letter a line)"""
    name = "페이지 실행 취소 순서"
    b = api(env, name)
    first = post(b, "먼저 지운 메모")
    last = post(b, "나중에 지운 메모")
    with Chromium(env, "undo-order") as wd:
        open_page(wd, env, name)
        wd.js(LATE_DELETE, f"memo/{first}")
        wd.click(card(first, ".card-actions .delete"))
        wd.click(card(last, ".card-actions .delete"))
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                "the toast of the second delete")
        eq(wd.js(TOAST_TEXT), "‘나중에 지운 메모’ 메모를 휴지통으로 옮겼습니다.",
           "it names its memo")
        wd.wait("return window.__late", "the first delete's late answer")
        settled(lambda: [m[2] for m in memos(env, name).values()], [True, True],
                "both rows in the trash")
        eq(wd.js(TOAST_TEXT), "‘나중에 지운 메모’ 메모를 휴지통으로 옮겼습니다.",
           "the toast still the last delete's")
        state_shots(wd, "undo-toast", "the undo toast", hold="#toast .toast-text",
                    whole=TOAST_WHOLE)
        eq(wd.js(TOAST_TEXT), "‘나중에 지운 메모’ 메모를 휴지통으로 옮겼습니다.",
           "the same toast after its screenshots")
        wd.click("#toast .toast-action")
        wd.wait(f"return !!document.getElementById('memo-{last}')", "the memo back")
        eq(wd.js(CARDS), ["나중에 지운 메모"], "only that card")
        eq(memos(env, name), {first: ("먼저 지운 메모", False, True),
                              last: ("나중에 지운 메모", False, False)},
           "the memo the toast named restored, the other still in the trash")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "undo of two deletes")


# fetch for a pin racing a list: a PATCH leaves arguments[0] ms late, a
# list's answer (GET memo?…) comes arguments[1] ms late; window.__lists
# counts the lists the page has not had the answer of yet, and
# window.__listRead is true once the server has answered one (it has read
# the memos), before that answer is held back.
PIN_RACE = ("window.__f0 = window.fetch; window.__lists = 0; window.__listRead = false;"
            " window.__listOut = false;"
            " var pd = arguments[0], ld = arguments[1];"
            " var late = function (ms) { return new Promise(function (ok) {"
            "  setTimeout(ok, ms); }); };"
            "window.fetch = function (u, i) {"
            " if (i && i.method === 'PATCH')"
            "  return late(pd).then(function () { return window.__f0(u, i); });"
            " if (!/^memo\\?/.test(String(u))) return window.__f0(u, i);"
            " window.__lists++;"
            " return window.__f0(u, i).then(function (r) { window.__listRead = true;"
            "  return late(ld).then(function () { window.__listOut = true; return r; }); })"
            "  .finally(function () { setTimeout(function () { window.__lists--; }, 200); }); };")
# The lists (ul ids) holding a card of memo arguments[0].
CARDS_OF = ("return Array.from(document.querySelectorAll("
            "'#view-memos li.memo[data-id=\"' + arguments[0] + '\"]'))"
            ".map(function (li) { return li.parentNode.id; })")
PINNED_SAID = "return document.getElementById('status').textContent === '고정했습니다.'"
LISTS_DONE = "return window.__lists === 0 && " + LOADED[len("return "):]


@test
@page_logic
def page_pin_races_list(env):
    """Page: a pin whose answer comes after a list that read the memo before it (a search run while 고정 is on its way), or a list read before a pin whose answer comes after it, ends as the server has it: one card per memo, pinned where the server says (the first drew the pinned card over the new list, beside its own card; the second put the memo back among the others)"""
    name = "페이지 고정 경합"
    b = api(env, name)
    one = post(b, "할 일 하나")
    two = post(b, "할 일 둘")
    with Chromium(env, "pin-race") as wd:
        open_page(wd, env, name)
        wd.js(PIN_RACE, 1500, 0)
        wd.click(card(one, ".card-actions .pin"))
        search(wd, "할 일")
        wd.wait(PINNED_SAID, "the pin answered, after the search's list")
        wd.wait(LISTS_DONE, "every list answered")
        eq(wd.js(CARDS_OF, one), ["pinned"], "one card, pinned")
        eq(wd.js(CARDS_OF, two), ["memos"], "the other, one card among the others")
        eq(memos(env, name)[one][1], True, "pinned in the database")
        wd.js("window.fetch = window.__f0")

        wd.js(PIN_RACE, 0, 1500)
        search(wd, "일")
        wd.wait("return window.__listRead &&"
                " document.getElementById('view-memos').hasAttribute('aria-busy')",
                "the search's list read by the server, its answer held back")
        wd.js("Memo.ui.status('', '')")     # the first pin's 고정했습니다. is still there
        wd.click(card(two, ".card-actions .pin"))
        wd.wait(PINNED_SAID, "the pin answered")
        check(not wd.js("return window.__listOut"), "the pin answered before the list (the race)")
        wd.wait(LISTS_DONE, "every list answered")
        eq(wd.js(CARDS_OF, two), ["pinned"], "one card, pinned")
        eq(wd.js(CARDS_OF, one), ["pinned"], "the first still one card, pinned")
        eq(memos(env, name)[two][1], True, "pinned in the database")
        eq(wd.text("#count"), "검색 결과 2개", "the count")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "pin racing a list")


@test
@page_logic
def page_unpin_races_next_page(env):
    """Page: a memo unpinned while the next page (더 보기) is on its way, that page read before the unpin and answered after it, comes back among the others where its id puts it, once (it was taken off the screen as belonging further down, and the page that should have brought it had read it pinned: it was gone until a reload)"""
    name = "페이지 고정 해제 다음 쪽"
    live, pinned = seed(env, name, 120, trashed=0, pinned=(80,))
    old = pinned[0]
    with Chromium(env, "unpin-next-page") as wd:
        open_page(wd, env, name)
        eq(wd.js(CARDS_OF, old), ["pinned"], "pinned on top")
        eq(wd.js("return document.querySelectorAll('#memos li').length"), 50, "the first page")
        wd.js(PIN_RACE, 0, 1500)
        wd.click("#more")
        wd.wait("return window.__listRead", "the next page read by the server, its answer held back")
        wd.click(card(old, ".card-actions .pin"))
        wd.wait("return document.getElementById('status').textContent.indexOf("
                "'고정을 해제했습니다.') === 0", "the unpin answered")
        check(not wd.js("return window.__listOut"), "the unpin answered before the page (the race)")
        eq(wd.js(CARDS_OF, old), [], "off the screen meanwhile, as further down")
        wd.wait(LISTS_DONE + " && document.getElementById('more').textContent === '더 보기'",
                "the page answered")
        eq(wd.js(CARDS_OF, old), ["memos"], "back among the others, once")
        shown = wd.js("return Array.from(document.querySelectorAll('#memos li.memo'))"
                      ".map(function (l) { return Number(l.dataset.id); });")
        eq(shown, sorted(shown, reverse=True), "the others newest first, the memo in its place")
        eq(shown, live[:101], "the two pages and the memo: the 101 newest")
        eq(memos(env, name)[old][1], False, "unpinned in the database")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "unpin racing the next page")


@test
@page_logic
def page_edit_unpinned_elsewhere(env):
    """Page: 수정 on a pinned memo that another device has meanwhile unpinned and changed, whose place is below the pages loaded: the editor takes the memo's new text and stays open, kept aside on top with a note saying the memo is further down, the focus in it (the card went off the screen with its editor and the focus); saved, the row has the text; the same while the next page loads, read before the unpin: once that page has come, the card is among the others, its editor open (it stayed aside, its note saying it was not in the list)"""
    name = "페이지 다른 곳에서 고정 해제"
    live, pinned = seed(env, name, 120, trashed=0, pinned=(80,))
    old = pinned[0]
    b = api(env, name)
    with Chromium(env, "edit-unpinned-elsewhere") as wd:
        open_page(wd, env, name)
        eq(wd.js(CARDS_OF, old), ["pinned"], "pinned on top")
        r = b.patch_json(f"/memo/{old}", {"pinned": False, "text": "다른 기기에서 바꾼 글"})
        eq(r.status, 200, "unpinned and changed on another device")
        open_editor(wd, old)
        eq(wd.js(CARDS_OF, old), ["memos"], "one card, among the others")
        check(wd.js(f"return document.getElementById('memo-{old}').classList.contains('aside')"),
              "kept aside")
        eq(wd.js(f"return document.querySelector('#memos li').id"), f"memo-{old}", "on top")
        eq(wd.js(EDIT_VALUE, old), "다른 기기에서 바꾼 글", "the editor has the new text")
        eq(wd.js(ASIDE_NOTE, old), "목록에서는 더 아래에 있는 메모입니다."
           " 수정을 마칠 때까지 여기에 둡니다.", "why it is there")
        eq(wd.js("return document.activeElement.id"), f"edit-{old}", "the focus in the editor")
        wd.keys(" 고침")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('#memo-{old} .editor')", "saved, closed")
        eq(text_of(env, old), "다른 기기에서 바꾼 글 고침", "the row has the text")

        # The same while the next page loads, read before the unpin: set
        # aside, it joins the list once that page has come (it stayed on
        # top, its note saying it was not in the list at all).
        again = pinned_memo(b, live, old)
        wd.refresh()
        wd.wait(LOADED, "the list")
        wd.js(PIN_RACE, 0, 1500)
        wd.click("#more")
        wd.wait("return window.__listRead", "the next page read by the server, held back")
        r = b.patch_json(f"/memo/{again}", {"pinned": False, "text": "또 바꾼 글"})
        eq(r.status, 200, "unpinned and changed on another device")
        open_editor(wd, again)
        wd.wait(LISTS_DONE + " && document.getElementById('more').textContent === '더 보기'",
                "the page answered")
        check(not wd.js(f"return document.getElementById('memo-{again}')"
                        ".classList.contains('aside')"), "among the others, not aside")
        eq(wd.js(CARDS_OF, again), ["memos"], "one card")
        shown = wd.js("return Array.from(document.querySelectorAll('#memos li.memo'))"
                      ".map(function (l) { return Number(l.dataset.id); });")
        eq(shown, sorted(shown, reverse=True), "in its place by id")
        eq(wd.js(EDIT_VALUE, again), "또 바꾼 글", "its editor still open, with the new text")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "an editor opened on a memo unpinned elsewhere")


PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko)"
            " SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36")
DEVICES = ("return Array.from(document.querySelectorAll('#sessions li strong'))"
           ".map(function (e) { return e.textContent; })")


def other_device(env, name, ua):
    """A second session of the user, logged in from the browser ua names;
    returns its client and its id as GET /account gives it."""
    b = api(env, name)
    env.db.client(database="memo", stdin=(
        f"UPDATE sessions SET user_agent = '{ua}'"
        f" WHERE session_key = SHA2('{b.cookies['sessionId']}', 256)"))
    r = b.get("/account")
    eq(r.status, 200, "GET /account")
    return b, next(s["id"] for s in r.json()["sessions"] if s["current"])


def open_account(wd, devices):
    wd.click("#nav a[data-view='account']")
    wd.wait("return !document.getElementById('view-account').hidden && "
            "document.querySelectorAll('#sessions li').length === arguments[0]",
            f"the 계정 view with {devices} devices", 10, devices)


def end_device(wd, sid):
    """Click the device's 로그아웃, then the question's 로그아웃."""
    wd.click(f"#sessions li[data-id='{sid}'] button.end")
    wd.wait("return document.getElementById('dialog').open", "asked first")
    eq(wd.text("#dialog-title"), "삼성 인터넷 · Android에서 로그아웃할까요?", "the question")
    wd.click("#dialog-actions button[value=yes]")


IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko)"
DEVICE_NAMES = [
    (f"{IOS} CriOS/122.0.6261.89 Mobile/15E148 Safari/604.1", "Chrome · iOS"),
    (f"{IOS} FxiOS/124.0 Mobile/15E148 Safari/605.1.15", "Firefox · iOS"),
    (f"{IOS} EdgiOS/122.0.2365.86 Version/17.0 Mobile/15E148 Safari/604.1", "Edge · iOS"),
    (f"{IOS} Mobile/15E148 NAVER(inapp; search; 2000; 12.3.2)", "네이버 앱 · iOS"),
    (f"{ANDROID} Version/4.0 Chrome/122.0.0.0 Mobile Safari/537.36 KAKAOTALK 10.5.3",
     "카카오톡 · Android"),
    (f"{ANDROID} Chrome/122.0.0.0 Mobile Safari/537.36 OPR/80.0.4244.77", "Opera · Android"),
    (f"{IOS} Version/17.4 Mobile/15E148 Safari/604.1", "Safari · iOS"),
]


@test
@page_logic
def page_account_device_names(env):
    """Page 계정: devices named by their browser as people know them, the apps' own (네이버 앱, 카카오톡) and iOS's Chrome, Firefox and Edge included (they showed as Safari or Chrome, and two phones looked the same)"""
    name = "페이지 기기 이름"
    with Chromium(env, "device-names") as wd:
        open_page(wd, env, name)
        for ua, _ in DEVICE_NAMES:
            other_device(env, name, ua)
        open_account(wd, len(DEVICE_NAMES) + 1)
        eq(sorted(wd.js(DEVICES)), sorted(["Chrome · Linux"] + [n for _, n in DEVICE_NAMES]),
           "the devices' names")


@test
@page_logic
def page_account_device_logout(env):
    """Page 계정: another device's 로그아웃 asks first, then ends that session (its client gets 401, its row gone) and the list is drawn again without it, the focus on 모든 기기에서 로그아웃; a session another device had already ended (the server's 404) is said as ended too; a proxy's 404 page is a failure, said as one, the session and its row kept"""
    name = "페이지 기기 로그아웃"
    sessions = f"SELECT COUNT(*) FROM sessions WHERE user_id = '{naver_id(name)}'"
    with Chromium(env, "device-logout") as wd:
        open_page(wd, env, name)
        phone, sid = other_device(env, name, PHONE_UA)
        open_account(wd, 2)
        eq(sorted(wd.js(DEVICES)), ["Chrome · Linux", "삼성 인터넷 · Android"], "the two devices")
        ended = "삼성 인터넷 · Android에서 로그아웃했습니다."

        # A proxy's 404 page: not ended, and said so.
        wd.js(proxy_404("DELETE", f"account/sessions/{sid}"))
        end_device(wd, sid)
        wd.wait("return window.__proxied && document.getElementById('status').className === 'error'",
                "the proxy's 404 said")
        wd.js("window.fetch = window.__f0")
        eq(status(wd), "삼성 인터넷 · Android의 로그인을 끝내지 못했습니다."
           " 서버가 요청을 거절했습니다 (404).", "said as a failure")
        eq(wd.js("return document.querySelectorAll('#sessions li').length"), 2, "both listed")
        eq(int(q(env, sessions)[0][0]), 2, "both sessions' rows kept")
        eq(phone.get("/memo").status, 200, "the phone still logged in")

        # Ended.
        end_device(wd, sid)
        wd.wait("return document.getElementById('status').textContent === arguments[0] &&"
                " document.querySelectorAll('#sessions li').length === 1", "ended", 10, ended)
        eq(wd.js("return document.querySelector('#sessions li').classList.contains('current')"),
           True, "this device left")
        eq(phone.get("/memo").status, 401, "the phone logged out")
        eq(int(q(env, sessions)[0][0]), 1, "its row gone")
        eq(wd.js("return document.activeElement.id"), "logout-all-go",
           "the focus on 모든 기기에서 로그아웃")

        # Ended elsewhere first: the server's 404 is the same outcome.
        phone, sid = other_device(env, name, PHONE_UA)
        wd.click("#nav a[data-view='memos']")
        wd.wait(LOADED, "the memo list")
        wd.js("document.getElementById('status').textContent = ''")
        open_account(wd, 2)
        eq(phone.request("DELETE", f"/account/sessions/{sid}").status, 204,
           "the phone ends itself")
        end_device(wd, sid)
        wd.wait("return document.getElementById('status').textContent === arguments[0] &&"
                " document.querySelectorAll('#sessions li').length === 1",
                "ended elsewhere: said as ended", 10, ended)
        eq(int(q(env, sessions)[0][0]), 1, "one session left")
        no_problems(wd, "device logout")


def pinned_memo(b, live, but):
    """Pin another of the second page's memos (live: ids newest first)."""
    memo_id = next(i for i in live[60:] if i != but)
    r = b.patch_json(f"/memo/{memo_id}", {"pinned": True})
    eq(r.status, 200, "pinned")
    return memo_id


def export_file(memos=(), trash=None, version=1):
    body = {"format": "memo-export", "version": version, "memos": list(memos)}
    if trash is not None:
        body["trash"] = trash
    return json.dumps(body).encode()


IMPORT_FAILED = "가져오지 못했습니다: "
NOTHING = " 아무것도 가져오지 않았습니다."
# Files POST /import refuses (400) for what its English reason names, and
# what the 계정 view says of each (a regular expression).
BAD_IMPORTS = [
    (b'{"format": "memo-export" "version": 1}', r"JSON 형식이 아닙니다\(\d+바이트 근처\)\."),
    (b'{"format": "memo-export", "version": 1, "memos": [}',
     r"1번째 메모 항목이 JSON 객체가 아닙니다\."),
    (b'{"hello": 1}', r"메모장에서 내보낸 파일이 아닙니다\."),
    (export_file(version=2), r"이 메모장이 읽지 못하는 버전\(version\)의 파일입니다\."
                             r" version 1인 파일만 가져올 수 있습니다\."),
    (export_file(trash=[{"text": "버린 것", "created_at": "2024-01-01T00:00:00Z",
                         "deleted_at": "2024-01-02T00:00:00Z"},
                        {"text": "버린 것 둘", "created_at": "2024-01-01T00:00:00Z",
                         "deleted_at": "어제"}]),
     r"휴지통\(trash\)의 2번째 메모의 삭제 시각\(deleted_at\) 값이"
     r" 2026-11-24T13:45:00Z 같은 시각\(UTC\)이 아닙니다\."),
    (export_file([{"text": "메모", "created_at": "2024-01-01T00:00:00Z", "revisions": [
        {"text": "옛 내용", "created_at": "2023-12-31T00:00:00Z"},
        {"text": "옛\0내용", "created_at": "2023-12-30T00:00:00Z"}]}]),
     r"1번째 메모의 2번째 수정 기록의 내용\(text\) 값이 64KB를 넘거나"
     r" NUL 문자를 담고 있습니다\."),
]
# fetch answers POST import with status arguments[0] and body arguments[1].
@test
@page_logic
def page_proxy_pages_said_as_theirs(env):
    """Page: a 503 or 413 answered by a page of a load balancer's or a proxy's (HTML, not memo's JSON) is said in general words, not as memo's own (a balancer with no instance was said as "could not reach the database", a proxy's size limit as memo's 64KB or 64MB); memo's own 503 keeps its words"""
    name = "페이지 프록시 응답"
    tmp = tempfile.mkdtemp(prefix="memo-proxy-")
    path = os.path.join(tmp, "small.json")
    with open(path, "wb") as f:
        f.write(export_file([{"text": "작은 파일", "created_at": "2024-01-01T00:00:00Z"}]))
    with Chromium(env, "proxy-pages") as wd:
        open_page(wd, env, name)
        wd.js(proxy_404("POST", "memo", 503))
        wd.type("#memo-text", "앞단이 막은 메모")
        wd.keys(CTRL_ENTER)
        wd.wait("return window.__proxied && /\\(503\\)/.test("
                "document.getElementById('status').textContent)", "the balancer's 503 said")
        check("데이터베이스" not in status(wd) and "지금 요청을 처리할 수 없습니다" in status(wd),
              status(wd))
        wd.js("window.fetch = window.__f0")
        wd.js(FAIL_LATE, "POST", "memo")
        wd.keys(CTRL_ENTER)
        wd.wait("return /데이터베이스에 연결하지 못했습니다/.test("
                "document.getElementById('status').textContent)", "memo's own 503 said")
        wd.js("window.fetch = window.__f0")
        wd.click("#nav a[data-view='account']")
        wd.wait("return !document.getElementById('view-account').hidden", "the 계정 view")
        wd.js(proxy_404("POST", "import", 413))
        wd.type("#import-file", path)
        wd.click("#import-go")
        wd.wait("return window.__proxied && document.getElementById('status').className"
                " === 'error'", "the proxy's 413 said")
        eq(status(wd), "가져오지 못했습니다: 파일이 너무 커서 서버가 거절했습니다 (413)."
           " 아무것도 가져오지 않았습니다.", "no 64MB named")
        wd.js("window.fetch = window.__f0")
        eq(memos(env, name), {}, "nothing stored")


IMPORT_ANSWER = ("window.__f0 = window.fetch; var code = arguments[0], body = arguments[1];"
                 "window.fetch = function (u, i) {"
                 " if (!i || i.method !== 'POST' || String(u) !== 'import')"
                 "  return window.__f0(u, i);"
                 " return Promise.resolve(new Response(body, {status: code,"
                 "  headers: {'Content-Type': 'application/json'}})); };")
# Answers the server (or one in front of it) may give, and what is said.
IMPORT_STATUSES = [
    (400, {"error": "<img src=x onerror=\"window.__ran = 1\">a reason the page does not know"},
     IMPORT_FAILED + "메모장에서 내보낸 JSON 파일이 아니거나 잘못된 곳이 있습니다." + NOTHING),
    (415, {"error": "Content-Type must be application/json"},
     IMPORT_FAILED + "서버가 파일을 JSON으로 받지 않았습니다." + NOTHING),
    (403, {"error": "not from this site's own page"},
     IMPORT_FAILED + "이 메모장 페이지에서 보낸 요청인지 확인되지 않아 서버가 거절했습니다."
     " 페이지를 새로 고친 뒤 다시 시도해 주세요." + NOTHING),
    (413, {"error": "the file is over 64 MiB (67108864 bytes)"},
     "파일이 64MB를 넘어 가져오지 못했습니다."),
    (503, {"error": "database unavailable"},
     "가져오지 못했습니다. 서버가 데이터베이스에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요."),
]


@test
@page_logic
def page_import_errors_in_korean(env):
    """Page 계정: an import refused says why in Korean, never in the server's English: what is wrong and where for a bad file (400: not JSON, not an export, another version, a bad time in the trash, a revision holding a NUL), and each other refusal (415, 403, 413, 503); a reason it does not know, in general words, as text; nothing imported; screenshots of the longest, 1280 px and 390 px, light and dark"""
    name = "페이지 가져오기 오류"
    tmp = tempfile.mkdtemp(prefix="memo-import-")
    with Chromium(env, "import-errors") as wd:
        open_page(wd, env, name)
        wd.click("#nav a[data-view='account']")
        wd.wait("return !document.getElementById('view-account').hidden && "
                "document.querySelectorAll('#sessions li').length > 0", "the 계정 view")
        refused = "return document.getElementById('status').className === 'error'"
        said = []
        for i, (body, want) in enumerate(BAD_IMPORTS):
            path = os.path.join(tmp, f"bad-{i}.json")
            with open(path, "wb") as f:
                f.write(body)
            wd.type("#import-file", path)
            wd.click("#import-go")
            wd.wait(refused, f"bad file {i} refused")
            said.append(status(wd))
            check(re.fullmatch(re.escape(IMPORT_FAILED) + want + re.escape(NOTHING),
                               status(wd)), f"bad file {i}: {status(wd)!r}")
        # The longest: what is wrong, and where, in a revision.
        state_shots(wd, "import-error", "an import refused", at="#import-go")
        path = os.path.join(tmp, "good.json")
        with open(path, "wb") as f:
            f.write(export_file([{"text": "가져올 메모", "created_at": "2024-01-01T00:00:00Z"}]))
        for code, answer, want in IMPORT_STATUSES:
            wd.js(IMPORT_ANSWER, code, json.dumps(answer))
            wd.js("document.getElementById('import-file').value = ''")
            wd.type("#import-file", path)
            wd.click("#import-go")
            wd.wait(refused, f"the {code} said")
            eq(status(wd), want, f"what a {code} says")
            # A file refused as it is is picked again; after a failure,
            # or beside another import, it stays to try again.
            eq(wd.js("return document.getElementById('import-file').files.length"),
               0 if code in (400, 413, 415) else 1, f"the file after a {code}")
            wd.js("window.fetch = window.__f0")
        eq(wd.js("return [document.querySelectorAll('#status *').length, window.__ran]"),
           [0, None], "the server's reason never made into HTML")
        eq(memos(env, name), {}, "nothing imported")
        no_problems(wd, "import errors")
        print(f"    saw: {said}")


def sample(i):
    """Memo i of 300, as people write them."""
    return [
        f"주간 회의록 {i}번\n다음 주까지 발표 자료를 준비하기로 함. 담당: 김민지 #회사/회의",
        f"장보기 #집\n- [ ] 우유\n- [x] 달걀\n- [ ] 두부 {i}모",
        f"읽을 책 📚 #독서 — 『코스모스』, 『총, 균, 쇠』 https://books.example.com/item/{i}",
        f"운동 {i}일차 🏃 5km 달리기, 스쿼트 3세트 #운동",
        f"Release notes draft {i}: ship in English and 한국어 #work",
        f"{i}번째 짧은 메모 ☕",
    ][i % 6]


def seed(env, name, n, trashed=5, pinned=(7, 20, 33)):
    """n live memos (and `trashed` more in the trash), written over the last
    days, a few pinned and a few edited; returns the live ids."""
    b = api(env, name)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: post(b, sample(i)), range(n + trashed)))
    uid = naver_id(name)
    env.db.client(database="memo", stdin=(
        f"SET @top = (SELECT MAX(id) FROM memo WHERE user_id = '{uid}');"
        "UPDATE memo SET created_at = UTC_TIMESTAMP() - INTERVAL ((@top - id) * 37 + 5) MINUTE"
        f" WHERE user_id = '{uid}';"))
    for i in ids[:trashed]:
        eq(b.request("DELETE", f"/memo/{i}").status, 204, "DELETE")
    for i in pinned:
        r = b.patch_json(f"/memo/{ids[-i]}", {"pinned": True})
        eq(r.status, 200, "pin")
    r = b.patch_json(f"/memo/{ids[-2]}", {"text": sample(n + trashed - 2) + "\n(수정: 장소 변경)"})
    eq(r.status, 200, "edit")
    return sorted(ids[trashed:], reverse=True), [ids[-i] for i in pinned]


SHOWN = ("return Array.from(document.querySelectorAll('#view-memos li.memo'))"
         ".map(function (l) { return Number(l.dataset.id); });")
SIZES = {"1280px": (1280, 900, False), "390px": (390, 844, True)}

# WCAG 2.1 contrast (1.4.3) of every visible text on the page against the
# first background under it that is mostly opaque: 4.5:1, or 3:1 for large
# text (24 px, or 18.66 px bold).  Disabled controls are exempt, as WCAG
# exempts them, and so is the 네이버 로그인 button: Naver's own green and
# white, a brand mark (WCAG's logotype exception; Naver's login button
# guide sets its colours).  Also the colour pairs of what no view shows at
# rest: the toast's undo action, and a tag chip.
CONTRAST = r"""
function rgb(c) { return c.match(/[\d.]+/g).map(Number); }
function lum(c) {
    var v = rgb(c).slice(0, 3).map(function (x) {
        x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function ratio(a, b) {
    var x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
function under(el) {
    for (; el; el = el.parentElement) {
        var b = getComputedStyle(el).backgroundColor, a = rgb(b);
        if (a.length < 4 || a[3] >= 0.5)
            return b;
    }
    return getComputedStyle(document.body).backgroundColor;
}
var bad = [];
function judge(what, el, fg, bg, large) {
    var r = ratio(fg, bg);
    if (r < (large ? 3 : 4.5))
        bad.push(what + ' ' + r.toFixed(2) + ':1 (' + fg + ' on ' + bg + ')');
}
document.querySelectorAll('body *').forEach(function (el) {
    var text = Array.prototype.some.call(el.childNodes, function (n) {
        return n.nodeType === 3 && n.textContent.trim() !== ''; });
    // The first two screens: further down the same cards repeat.
    if (!text || !el.getClientRects().length || el.closest('[hidden], [aria-hidden=true]') ||
        el.closest(':disabled, .naver-login') ||
        el.getBoundingClientRect().top > 2 * innerHeight)
        return;
    var cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || Number(cs.opacity) === 0)
        return;
    var px = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    judge((el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className) +
          ' "' + el.textContent.trim().slice(0, 20) + '"', el, cs.color, under(el),
          px >= 24 || (bold && px >= 18.66));
});
// Placeholders, as they are drawn: their colour at their opacity.
document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(function (el) {
    if (!el.getClientRects().length || el.value !== '')
        return;
    var ph = getComputedStyle(el, '::placeholder'), bg = rgb(under(el));
    var a = Number(ph.opacity) * (rgb(ph.color)[3] === undefined ? 1 : rgb(ph.color)[3]);
    var fg = 'rgb(' + rgb(ph.color).slice(0, 3).map(function (x, i) {
        return Math.round(a * x + (1 - a) * bg[i]); }).join(',') + ')';
    judge('#' + el.id + ' placeholder', el, fg, under(el), false);
});
var root = getComputedStyle(document.documentElement);
function v(name) { return 'rgb(' + rgb(root.getPropertyValue(name).trim().replace(
    /^#(..)(..)(..)$/, function (_, r, g, b) {
        return [r, g, b].map(function (h) { return parseInt(h, 16); }).join(','); }))
    .join(',') + ')'; }
judge('the toast\'s undo action', null, v('--toast-action'), v('--toast'), false);
judge('a tag', null, v('--link'), v('--chip'), false);
return bad;
"""


def state_shots(wd, name, what, hold=None, at=None, whole=None):
    """The page as it is now, 1280 px and 390 px wide (a touch screen),
    light and dark: screenshots name-{size}-{scheme} (their paths
    printed), no sideways scrolling, and the text contrast at 1280 px (the
    colours are the same at 390 px).  hold: what the mouse pointer rests
    on meanwhile (the toast, whose time stops under it); at: what is
    scrolled to the middle of the screen first at each size, as the
    person would have it; whole: a script true when what is shown is
    whole, checked at each size.  Then the browser's own 1000 px, light,
    again."""
    for size, (w, h, mobile) in SIZES.items():
        wd.viewport(w, h, mobile)
        wd.touch(mobile)
        if at:
            wd.js("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", at)
        if whole:
            check(wd.js(whole), f"{what} whole at {size}")
        for scheme in ("light", "dark"):
            wd.scheme(scheme)
            if hold:
                wd.point(hold)
            print(f"    screenshot: {wd.screenshot(f'{name}-{size}-{scheme}')}")
            if size == "1280px":
                eq(wd.js(CONTRAST), [], f"text contrast: {what}, {scheme}")
        eq(wd.js("return document.documentElement.scrollWidth >"
                 " document.documentElement.clientWidth"), False,
           f"no sideways scrolling: {what}, {size}")
    wd.viewport(1000, 900)
    wd.touch(False)
    wd.scheme("light")


def screens(env, wd, top):
    """The main views, 1280 px and 390 px wide, light and dark."""
    shots = []
    views = [("memos", ""), ("search", "#q=%ED%9A%8C%EC%9D%98"), ("tag", "#tag=%EC%A7%91"),
             ("trash", "#view=trash")]
    for size, (w, h, mobile) in SIZES.items():
        wd.viewport(w, h, mobile)
        wd.touch(mobile)
        for scheme in ("light", "dark"):
            wd.scheme(scheme)
            bg = wd.js("return getComputedStyle(document.body).backgroundColor")
            eq(bg, "rgb(246, 247, 249)" if scheme == "light" else "rgb(21, 23, 26)",
               f"the {scheme} background")
            for view, frag in views:
                wd.go(env.web_prefix.url + frag)
                if view == "trash":
                    wd.wait("return document.querySelectorAll('#trash-list li').length === 5",
                            "the trash")
                else:
                    wd.wait(LOADED + " && document.querySelectorAll('#tag-list .chip')"
                            ".length > 0", f"the {view} view")
                wd.js("window.scrollTo(0, 0)")
                shots.append(wd.screenshot(f"{view}-{size}-{scheme}"))
                overflow = wd.js("return document.documentElement.scrollWidth >"
                                 " document.documentElement.clientWidth")
                eq(overflow, False, f"no sideways scrolling: {view} {size}")
                if size == "1280px":    # the colours are the same at 390 px
                    eq(wd.js(CONTRAST), [], f"text contrast: {view} {size} {scheme}")
            # A card being edited and the history dialog.
            wd.go(env.web_prefix.url)
            wd.wait(LOADED, "the list")
            edited = wd.js("var b = document.querySelector('#memos .edited');"
                           " b.scrollIntoView({block: 'center'}); return b.closest('li').id;")
            wd.click(f"#{edited} .edited")
            wd.wait("return document.querySelectorAll('#dialog .revision').length === 2",
                    "the history")
            shots.append(wd.screenshot(f"history-{size}-{scheme}"))
            if size == "1280px":
                eq(wd.js(CONTRAST), [], f"text contrast: history {size} {scheme}")
            wd.click("#dialog-actions button")
            wd.click(f"#{edited} .card-actions .edit")
            wd.wait(f"return !!document.querySelector('#{edited} .editor[data-read]')",
                    "the editor")
            shots.append(wd.screenshot(f"editor-{size}-{scheme}"))
            if size == "1280px":
                eq(wd.js(CONTRAST), [], f"text contrast: editor {size} {scheme}")
            wd.keys(KEY["esc"])
    wd.viewport(*SIZES["1280px"])
    wd.touch(False)
    wd.scheme("light")
    return shots


@test
def page_300_memos(env):
    """Page: 300 memos: 50 at a time as the person scrolls (and 더 보기), the count, pinned on top, a draft's editor of a memo further down back on top at once (with the focus if nothing has it, the page left where the person reads), then with its page, without taking the focus; screenshots 1280 px and 390 px, light and dark"""
    name = "페이지 삼백"
    live, pinned = seed(env, name, 300)
    with Chromium(env, "screens") as wd:
        open_page(wd, env, name)
        eq(wd.text("#count"), "메모 300개", "the count of all memos")
        shown = wd.js(SHOWN)
        eq(shown[:3], sorted(pinned, reverse=True), "the pinned ones first")
        eq(len(shown), 3 + 50, "the pinned and the first 50 others")
        check(not wd.js("return document.getElementById('more').hidden"), "더 보기 offered")
        wd.js("Memo.ui.status('메모를 불러왔습니다.', '')")
        # (The tags come by a request of their own, after the list's.)
        wd.wait("return document.querySelectorAll('#tag-list .chip').length > 0", "the tags")
        # Where the text starts (the chip: its box, it has a background).
        eq(wd.js("var x = function (s, box) { var e = document.querySelector(s), g = e;"
                 " if (!box) { g = document.createRange(); g.selectNodeContents(e); }"
                 " return Math.round(g.getBoundingClientRect().left); };"
                 "return [x('#status'), x('#count'), x('#pinned-heading'), x('#others-heading'),"
                 " x('#tag-list .chip', true)].map(function (l) {"
                 " return l - x('#memos li', true); });"),
           [0, 0, 0, 0, 0], "the status line's text, the count, the group titles and the tags"
           " start where the cards do")
        wd.js("Memo.ui.status('', '')")
        # A draft of an edit of a memo on the second page, after a reload:
        # its editor comes back at once, kept aside on top, and joins that
        # page when it loads, leaving the focus alone.
        later = [i for i in live if i not in pinned][60]
        wd.js("Memo.drafts.setEdit(arguments[0], arguments[1] + ' 고침', arguments[1], null)",
              later, text_of(env, later))
        # Its memo, read apart after the list, held back until the person
        # has scrolled down to read: the editor takes the focus (nothing
        # has it), but not the page back to the top (it did).
        held = wd.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.__f0 = window.fetch; window.__held = new Promise(function (ok) {"
            " window.__release = ok; }); window.fetch = function (u, i) {"
            f" if (String(u) !== 'memo/{later}') return window.__f0(u, i);"
            " return window.__held.then(function () { return window.__f0(u, i); }); };")})
        wd.refresh()
        wd.wait(LOADED, "the list after a reload")
        wd.cdp("Page.removeScriptToEvaluateOnNewDocument", held)
        wd.js("window.scrollTo(0, 1200)")
        read = wd.js("var li = Array.from(document.querySelectorAll('#memos li'))"
                     ".find(function (l) { return l.getBoundingClientRect().top > 0; });"
                     " return [li.id, li.getBoundingClientRect().top];")
        wd.js("window.__release()")
        wd.wait(f"return !!document.querySelector('{card(later)}.aside .editor')",
                "the draft's editor, kept aside before its page loads")
        # Within a pixel: scroll anchoring makes up for the card put on
        # top in fractions of one, which rounding can turn into 1 (107 or
        # 108 in two runs); moved, it was hundreds.
        now = wd.js("var li = document.getElementById(arguments[0]); return [li.id,"
                    " li.getBoundingClientRect().top, document.activeElement.id];", read[0])
        eq([now[0], abs(now[1] - read[1]) <= 1, now[2]], [read[0], True, f"edit-{later}"],
           f"the card being read where it was on the screen ({read[1]:.2f} then {now[1]:.2f}),"
           " the focus in the editor")
        wd.js("window.fetch = window.__f0")
        eq(wd.js(ASIDE_NOTE, later), "목록에서는 더 아래에 있는 메모입니다."
           " 수정을 마칠 때까지 여기에 둡니다.", "why it is on top")
        wd.click("#search")
        # Scrolling to the end loads the next page by itself.
        wd.js("window.scrollTo(0, document.documentElement.scrollHeight)")
        wd.wait("return document.querySelectorAll('#memos li').length === 100",
                "the second page, by scrolling")
        eq(wd.js(f"return document.getElementById('edit-{later}').value"),
           text_of(env, later) + " 고침", "the draft's editor on the second page")
        check(wd.js(f"return !document.querySelector('{card(later)}.aside')"),
              "one of the list's now")
        eq(wd.js("return document.activeElement.id"), "search",
           "the focus still in the search box")
        wd.js(f"var t = document.getElementById('edit-{later}'); t.value = arguments[0];"
              " t.dispatchEvent(new Event('input'));"
              " t.parentNode.querySelector('.actions .secondary').click();",
              text_of(env, later))
        wd.wait(f"return !document.querySelector('{card(later)}.editing')",
                "the draft's editor closed")
        # 더 보기, the button itself.  Clicked where it is, from the top of
        # the page: a WebDriver click first scrolls the button into view,
        # which makes the page load the next 50 by itself and move the
        # button down under the click ("element click intercepted", seen
        # once in a fresh clone's run).  That it is reachable and named
        # is the keyboard test's.
        wd.js("window.scrollTo(0, 0)")
        eq(wd.js("return document.querySelectorAll('#memos li').length"), 100,
           "nothing more loaded at the top")
        wd.js("document.getElementById('more').click()")
        wd.wait("return document.querySelectorAll('#memos li').length >= 150", "더 보기")
        for _ in range(10):
            wd.js("window.scrollTo(0, document.documentElement.scrollHeight)")
            if wd.js("return document.getElementById('more').hidden"):
                break
            time.sleep(0.3)
        wd.wait("return document.getElementById('more').hidden", "the end of the list")
        shown = wd.js(SHOWN)
        eq(len(shown), 300, "every memo once")
        eq(shown[3:], [i for i in live if i not in pinned], "newest first, no duplicates")
        eq(wd.text("#count"), "메모 300개", "the count still")
        height = wd.js("return document.documentElement.scrollHeight")
        shots = screens(env, wd, live) if env.web.mode == "cgi" else []
        no_problems(wd, "300 memos")
        # 고정 해제 of a memo older than the page loaded: its card goes
        # (더 보기 brings it), and the focus goes to 더 보기, not the page's start.
        old = [i for i in live if i not in pinned][-1]
        r = api(env, name).patch_json(f"/memo/{old}", {"pinned": True})
        eq(r.status, 200, "pin an old memo")
        wd.js("window.scrollTo(0, 0)")     # no next page loaded by a scroll kept
        wd.refresh()
        wd.wait(LOADED, "the list after a reload")
        eq(wd.js("return document.querySelectorAll('#memos li').length"), 50, "one page")
        wd.js(f"document.querySelector('{card(old, '.card-actions .pin')}').focus()")
        wd.keys(KEY["enter"])
        wd.wait(f"return !document.querySelector('#memo-{old}')", "its card gone")
        eq(wd.js("return document.activeElement.id || document.activeElement.tagName"),
           "more", "the focus on 더 보기")
        eq(status(wd), "고정을 해제했습니다. 이 메모는 목록 아래쪽에 있어 ‘더 보기’로 볼 수 있습니다.",
           "the status says where it went")
        eq(memos(env, name)[old][1], False, "unpinned in the database")
        # 더 보기 by keyboard to the end: the focus stays on it while pages
        # load (it was turned off, and lost it), then goes to the last
        # page's first card when the list ends and hides it.
        for _ in range(12):
            if wd.js("return document.getElementById('more').hidden"):
                break
            wd.wait("return !document.getElementById('more').hasAttribute('aria-disabled')",
                    "a page loaded")
            eq(wd.js("return document.activeElement.id || document.activeElement.tagName"),
               "more", "the focus on 더 보기 between pages")
            wd.keys(KEY["enter"])
            time.sleep(0.3)
        wd.wait("return document.getElementById('more').hidden", "the end, by keyboard")
        check(wd.js("return !!document.activeElement.closest('#memos li .card-actions')"),
              "the focus on a card of the last page")
        eq(len(wd.js(SHOWN)), 300, "every memo, the unpinned one too")
        no_problems(wd, "unpinned below the pages")
        print(f"    saw: 53 cards first, 300 after scrolling ({height} px);"
              f" {len(shots)} screenshots under {os.path.relpath(wd.out, env.base)}/")


NAMES = """
function name(e) {
  var l = e.getAttribute('aria-labelledby');
  if (l) return l.split(' ').map(function (i) {
    var x = document.getElementById(i); return x ? x.textContent : ''; }).join(' ').trim();
  if (e.getAttribute('aria-label')) return e.getAttribute('aria-label').trim();
  if (e.id) { var f = document.querySelector('label[for="' + e.id + '"]');
              if (f) return f.textContent.trim(); }
  return (e.textContent || '').trim();
}
return Array.from(document.querySelectorAll('a, button, input, textarea, select'))
  .filter(function (e) { return e.getClientRects().length > 0; })
  .map(function (e) { return [e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                              (e.className ? '.' + e.className.split(' ')[0] : ''),
                              name(e), e.tabIndex]; });
"""


@test
def page_keyboard_touch_noscript(env):
    """Page: every control labelled and reachable by keyboard (delete and undo with keys only), no Ctrl+Enter hint on touch, a Korean message without JavaScript"""
    name = "페이지 키보드"
    b = api(env, name)
    post(b, "첫째 #하나\n- [ ]")     # an empty to-do: its box needs a name too
    second = post(b, "둘째\n- [ ] 할 일 https://example.org/")
    with Chromium(env, "keyboard") as wd:
        open_page(wd, env, name)
        # The tag list comes from a request of its own (GET /tags), after
        # the memo list: its buttons are read once it is there.
        wd.wait("return !!document.querySelector('[aria-label^=\"#하나 태그\"]')",
                "the tag list")
        controls = wd.js(NAMES)
        unnamed = [c for c in controls if not c[1]]
        eq(unnamed, [], "controls without a name for screen readers")
        unreachable = [c for c in controls if c[2] < 0]
        eq(unreachable, [], "controls out of the keyboard's reach")
        labels = [c[1] for c in controls]
        check(["textarea#memo-text", "새 메모", 0] in controls, "the form's label")
        check(["input#search", "메모 검색", 0] in controls, "the search box's label")
        for want in ("삭제: 둘째", "수정: 둘째", "고정: 둘째", "#하나 태그, 메모 1개", "메모", "빈 할 일",
                     "휴지통", "할 일 https://example.org/"):
            check(want in labels, f"{want!r} among the names: {labels}")

        # Keyboard only: Tab from the search box to the newest card's 삭제,
        # Enter; then Tab to the toast's 실행 취소, Enter.
        wd.click("#search")
        seen = []
        for _ in range(30):
            wd.keys(KEY["tab"])
            seen.append(wd.js("var a = document.activeElement; return a.className + ' ' +"
                              " a.textContent;"))
            if wd.js(f"return document.activeElement.matches('{card(second)} .delete')"):
                break
        check(wd.js(f"return document.activeElement.matches('{card(second)} .delete')"),
              f"삭제 reached by Tab: {seen}")
        wd.keys(KEY["enter"])
        wd.wait(f"return !document.getElementById('memo-{second}')", "deleted by keyboard")
        settled(lambda: memos(env, name)[second][2], True, "in the trash")
        wd.wait("return !!document.querySelector('#toast .toast-action')", "the toast")
        for _ in range(40):
            if wd.js("return document.activeElement.classList.contains('toast-action')"):
                break
            wd.keys(KEY["tab"])
        check(wd.js("return document.activeElement.classList.contains('toast-action')"),
              "실행 취소 reached by Tab")
        # The toast stays while the focus is in it, past its 6 seconds
        # (once: it is the page's script alone, the same in both modes).
        if env.web.mode == "cgi":
            time.sleep(6.5)
            check(wd.js("return !!document.querySelector('#toast.show .toast-action:focus')"),
                  "the toast, with the focus on 실행 취소, still there after 6.5 s")
        wd.keys(KEY["enter"])
        wd.wait(f"return !!document.getElementById('memo-{second}')", "back by keyboard")
        eq(memos(env, name)[second][2], False, "out of the trash")
        # Or Ctrl+Z, without going to the toast: from the card's 삭제 on,
        # where the focus stays; not from a text field, where Ctrl+Z undoes
        # typing.
        wd.js(f"document.querySelector('{card(second)} .delete').focus()")
        wd.keys(KEY["enter"])
        wd.wait(f"return !document.getElementById('memo-{second}') &&"
                " !!document.querySelector('#toast.show .toast-action')", "deleted, the toast")
        eq(wd.js("return document.querySelector('#toast .toast-action')"
                 ".getAttribute('aria-keyshortcuts')"), "Control+Z", "the shortcut, told")
        wd.click("#search")
        wd.keys(KEY["ctrl"] + "z" + KEY["null"])
        time.sleep(0.3)
        check(wd.js(f"return !document.getElementById('memo-{second}') &&"
                    " !!document.querySelector('#toast.show')"), "Ctrl+Z in the search box: no undo")
        wd.js("document.querySelector('#memos li .delete').focus()")
        wd.keys(KEY["ctrl"] + "z" + KEY["null"])
        wd.wait(f"return !!document.getElementById('memo-{second}')", "back by Ctrl+Z")
        settled(lambda: memos(env, name)[second][2], False, "out of the trash again")
        # The checkbox by keyboard: Space.
        wd.js(f"document.querySelector('{card(second)} .check input').focus()")
        wd.keys(" ")
        wd.wait(f"return !document.querySelector('{card(second)}[aria-busy]') &&"
                f" document.querySelector('{card(second)} .check input').checked", "checked")
        check(text_of(env, second).startswith("둘째\n- [x] 할 일"), "checked in the database")

        # The Ctrl+Enter hint: shown with a keyboard, not on a touch screen.
        hint = "return getComputedStyle(document.getElementById('memo-hint')).display"
        check(wd.js(hint) != "none", "the hint on a desktop")
        wd.touch(True)
        wd.viewport(390, 844, True)
        eq(wd.js(hint), "none", "no hint on a touch screen")
        wd.click(card(second, ".card-actions .edit"))
        eq(wd.js(f"return getComputedStyle(document.querySelector('{card(second)}"
                 " .kbd-hint')).display"), "none", "nor in the editor")
        wd.keys(KEY["esc"])
        wd.touch(False)
        wd.viewport(1000, 900)
        no_problems(wd, "keyboard")

        # Without JavaScript: a Korean message, not an empty app.
        wd.scripts(False)
        wd.refresh()
        wd.wait("return document.readyState === 'complete'", "the page without scripts")
        eq(wd.js("return typeof window.Memo"), "undefined", "no script ran")
        check(wd.js("var n = document.getElementById('noscript');"
                    " return !!n && n.getClientRects().length > 0"), "the notice shows")
        eq(wd.text("#noscript"), "이 메모장은 자바스크립트로 동작합니다. 브라우저 설정에서"
           " 자바스크립트를 허용한 뒤 페이지를 새로 고쳐 주세요.", "in Korean")
        eq(wd.js("return document.getElementById('app').getClientRects().length"), 0,
           "the app hidden")
        shots = []
        if env.web.mode == "cgi":
            for scheme in ("light", "dark"):
                wd.scheme(scheme)
                shots.append(wd.screenshot(f"noscript-{scheme}"))
        wd.scripts(True)
        wd.scheme("light")
        # The guest page, light and dark, 1280 px and 390 px.
        wd.click("#logout button")
        wd.wait("return document.body.classList.contains('guest')", "logged out")
        if env.web.mode == "cgi":
            for size, (w, h, mobile) in SIZES.items():
                wd.viewport(w, h, mobile)
                for scheme in ("light", "dark"):
                    wd.scheme(scheme)
                    shots.append(wd.screenshot(f"guest-{size}-{scheme}"))
                    if size == "1280px":
                        eq(wd.js(CONTRAST), [], f"text contrast: the guest page {scheme}")
        print(f"    saw: {len(controls)} controls, all named and reachable; 삭제 after"
              f" {len(seen)} Tabs; {len(shots)} screenshots")


SINKS = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\("
                   r"|new\s+Function|srcdoc|setAttribute\(\s*['\"](on|style|href)")


@test
def page_source_rules(env):
    """Page source: no innerHTML, outerHTML, insertAdjacentHTML or document.write anywhere in htdocs; no inline script, style or handler; every script loaded"""
    found, files = [], []
    for root, _, names in os.walk(HTDOCS):
        for n in sorted(names):
            path = os.path.join(root, n)
            files.append(os.path.relpath(path, HTDOCS))
            with open(path, encoding="utf-8") as f:
                for no, line in enumerate(f, 1):
                    if SINKS.search(line):
                        found.append(f"{os.path.relpath(path, HTDOCS)}:{no}: {line.strip()}")
    eq(found, [], "HTML sinks in htdocs")
    page = open(os.path.join(HTDOCS, "index.html"), encoding="utf-8").read()
    eq(re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page), [], "inline scripts")
    eq(re.findall(r"<style|\sstyle=|\son[a-z]+=", page), [], "inline styles or handlers")
    scripts = re.findall(r'<script src="static/([a-z]+\.js)" defer></script>', page)
    # forget.js is the withdrawal's done page's (auth.cgi), not this page's.
    on_disk = sorted(f[len("static/"):] for f in files
                     if f.endswith(".js") and f != "static/forget.js")
    eq(sorted(scripts), on_disk, "index.html loads every script, deferred, by a relative URL")
    eq(scripts[-1], "app.js", "app.js last: the views register before it starts")
    # Links come only from render.js, which checks the scheme with new URL().
    makers = [f for f in on_disk if "'noopener noreferrer'" in
              open(os.path.join(HTDOCS, "static", f), encoding="utf-8").read()]
    eq(makers, ["render.js"], "one place makes links from memo text")
    print(f"    saw: {len(files)} files under htdocs/, scripts {scripts}")


@test
def page_api_count_and_trash_days(env):
    """GET /memo?count=true: how many memos each filter selects over all pages; the trash listing says trash_days; old clients see no change"""
    name = "페이지 개수"
    b = api(env, name)
    ids = [post(b, t) for t in ("회의 #일", "장보기 #집", "회의록 #일/회의", "메모", "회의 끝")]
    eq(b.request("DELETE", f"/memo/{ids[4]}").status, 204, "DELETE")
    eq(b.patch_json(f"/memo/{ids[3]}", {"pinned": True}).status, 200, "pin")
    cases = {"count=true": 4, "count=true&limit=1": 4, "count=true&limit=2&before=" +
             str(ids[3]): 4, "count=true&q=%ED%9A%8C%EC%9D%98": 2, "count=true&tag=%EC%9D%BC": 2,
             "count=true&pinned=false": 3, "count=true&pinned=true": 1,
             "count=true&trash=true": 1, "count=true&trash=true&q=%ED%9A%8C%EC%9D%98": 1,
             "count=true&q=%ED%9A%8C%EC%9D%98&tag=%EC%9D%BC%2F%ED%9A%8C%EC%9D%98": 1}
    seen = {}
    for query, want in cases.items():
        r = b.get("/memo?" + query)
        eq(r.status, 200, query)
        body = r.json()
        seen[query] = body["count"]
        eq(body["count"], want, f"count for {query}")
        check(len(body["memos"]) <= want, f"the page is within the count: {query}")
    r = b.get("/memo?limit=2")
    eq(list(r.json()), ["memos"], "no count unless asked: the seed's answer")
    r = b.get("/memo?trash=true")
    eq(r.json()["trash_days"], 30, "trash_days in the trash listing: TRASH_DAYS's default")
    eq([m["id"] for m in r.json()["memos"]], [ids[4]], "the trash")
    with settings(env, TRASH_DAYS="7"):
        r = b.get("/memo?trash=true")
    eq(r.json()["trash_days"], 7, "trash_days in the trash listing: TRASH_DAYS=7")
    eq(b.get("/memo?count=maybe").status, 400, "count=maybe")
    eq(Browser(env.web_prefix.url).get("/memo?count=true").status, 401, "no session")
    print(f"    saw: {seen}")


# PATCHes of a pin held until window.__releasePin(); window.__pinHeld.
HOLD_PIN_PATCH = hold_patch("pinned", "Pin")


@test
@page_logic
def page_pin_crossing_a_delete(env):
    """Page: 고정 pressed, then 삭제 before the pin's answer: the card stays gone when the answer (a 409: the delete got there first) comes, nothing is said of it, and 실행 취소 brings back one card; the pin's answer used to put a dead card back in 고정됨, and 실행 취소 then showed the memo twice"""
    name = "페이지 고정 중 삭제"
    b = api(env, name)
    mid = post(b, "고정하다 지울 메모")
    with Chromium(env, "pin-crossing-delete") as wd:
        open_page(wd, env, name)
        wd.js(HOLD_PIN_PATCH)
        wd.click(card(mid, ".card-actions .pin"))
        wd.wait("return window.__pinHeld", "the pin's PATCH held")
        wd.click(card(mid, ".card-actions .delete"))
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                "deleted: the toast")
        settled(lambda: memos(env, name)[mid], ("고정하다 지울 메모", False, True), "in the trash")
        wd.js("window.__releasePin()")
        # The pin's answer (409), and the page's handling of it after.
        eq(wd.js("return window.__pinAnswer.then(function (r) { return new Promise(function (ok) {"
                 " setTimeout(function () { ok(r.status); }, 300); }); })"), 409,
           "the pin answered: the delete got there first")
        eq(wd.js("return document.querySelectorAll('[data-id=\"' + arguments[0] + '\"]').length",
                 str(mid)), 0, "no card of the memo in the trash")
        check("휴지통" not in status(wd) and "고정" not in status(wd),
              f"the pin's 409 not said: {status(wd)!r}")
        wd.click("#toast .toast-action")
        wd.wait("return document.querySelectorAll('li.memo[data-id=\"' + arguments[0] + '\"]')"
                ".length === 1", "실행 취소: the card back", 15, str(mid))
        wd.js("return new Promise(function (ok) { setTimeout(function () { ok(true); }, 500); })")
        eq(wd.js("return document.querySelectorAll('li.memo[data-id=\"' + arguments[0] + '\"]')"
                 ".length", str(mid)), 1, "one card, not two")
        eq(memos(env, name)[mid], ("고정하다 지울 메모", False, False), "live, not pinned")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "a pin crossing a delete")


@test
@page_logic
def page_cancel_while_saving(env):
    """Page: while an edit's save runs, 취소 is off and Esc does nothing: the edit the discard question would throw away is already on its way (it was saved all the same, and an editor opened again meanwhile lost its draft to the late answer); once saved the editor closes as usual"""
    name = "페이지 저장 중 취소"
    b = api(env, name)
    mid = post(b, "저장 중에 취소")
    with Chromium(env, "cancel-while-saving") as wd:
        open_page(wd, env, name)
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}'", "the editor")
        wd.keys(" 고침")
        wd.js(HOLD_TEXT_PATCH)
        wd.keys(CTRL_ENTER)
        wd.wait("return window.__textHeld", "the save's PATCH held")
        eq(wd.js("return Array.from(document.querySelectorAll(arguments[0]))"
                 ".map(function (b) { return [b.textContent, b.disabled]; })",
                 card(mid, "form button")),
           [["취소", True], ["저장", True]], "취소 and 저장 off while saving")
        wd.js(f"document.getElementById('edit-{mid}').focus()")
        wd.keys(KEY["esc"])
        wd.js(NEXT_FRAME)
        eq(wd.js("return document.getElementById('dialog').open"), False, "Esc: no question")
        check(wd.js(f"return !!document.querySelector('{card(mid)}.editing')"),
              "Esc: the editor still open")
        wd.js("window.__releaseText()")
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "saved and closed")
        eq(memos(env, name)[mid], ("저장 중에 취소 고침", False, False), "the row")
        eq(wd.js(CARDS), ["저장 중에 취소 고침"], "the card")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "취소 while saving")


@test
@page_logic
def page_links_in_korean_sentences(env):
    """Page: a URL written into a Korean sentence links to the URL, not to the particle after it or the bracket around it ('(https://…/doc)를', '…/123에서.', '…/Foo_(bar)를,'), while Hangul that is the path's own stays in it ('/w/회의', '?q=서울', '/w/LG전자', '/w/2호선')"""
    name = "페이지 한국어 링크"
    b = api(env, name)
    text = ("자료(https://example.com/doc)를 참고\nhttps://blog.naver.com/abc/123에서. "
            "https://namu.wiki/w/회의 와 https://en.wikipedia.org/wiki/Foo_(bar)를, "
            "https://x.example/?q=서울 [https://d.example/a(b)] https://namu.wiki/w/LG전자 "
            "https://namu.wiki/w/2호선")
    mid = post(b, text)
    with Chromium(env, "korean-links") as wd:
        open_page(wd, env, name)
        links = wd.js("return Array.from(document.querySelectorAll(arguments[0]))"
                      ".map(function (a) { return [a.textContent, a.getAttribute('href')]; })",
                      card(mid, ".body a"))
        eq(links, [["https://example.com/doc", "https://example.com/doc"],
                   ["https://blog.naver.com/abc/123", "https://blog.naver.com/abc/123"],
                   ["https://namu.wiki/w/회의", "https://namu.wiki/w/%ED%9A%8C%EC%9D%98"],
                   ["https://en.wikipedia.org/wiki/Foo_(bar)",
                    "https://en.wikipedia.org/wiki/Foo_(bar)"],
                   ["https://x.example/?q=서울", "https://x.example/?q=%EC%84%9C%EC%9A%B8"],
                   ["https://d.example/a(b)", "https://d.example/a(b)"],
                   ["https://namu.wiki/w/LG전자", "https://namu.wiki/w/LG%EC%A0%84%EC%9E%90"],
                   ["https://namu.wiki/w/2호선", "https://namu.wiki/w/2%ED%98%B8%EC%84%A0"]],
           "the links")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"), text,
           "the text whole")
        no_problems(wd, "links in Korean sentences")


@test
@page_logic
def page_search_mid_syllable(env):
    """Page: the search box, paused while an IME composes a syllable ('회ㅇ' on the way to '회의'), searches without the lone jamo at its end (it searched for '회ㅇ', found nothing and said so), a box of jamo alone searches for nothing yet, and the syllable done (compositionend) is searched for"""
    name = "페이지 조합 중 검색"
    b = api(env, name)
    post(b, "회의록 정리")
    post(b, "장보기")
    with Chromium(env, "search-mid-syllable") as wd:
        open_page(wd, env, name)
        wd.js("window.__qs = []; var f = window.fetch; window.fetch = function (u, i) {"
              " var m = /[?&]q=([^&]*)/.exec(String(u));"
              " if (m) window.__qs.push(decodeURIComponent(m[1])); return f(u, i); };")
        typed = ("var s = document.getElementById('search'); s.focus(); s.value = arguments[0];"
                 " s.dispatchEvent(new InputEvent('input', {bubbles: true,"
                 " isComposing: arguments[1]}));")
        wd.js(typed, "ㅎ", True)
        wd.js("return new Promise(function (ok) { setTimeout(function () { ok(true); }, 700); })")
        eq(wd.js("return window.__qs"), [], "a lone jamo composing: no search")
        wd.js(typed, "회ㅇ", True)
        wd.wait("return window.__qs.length > 0", "a search")
        wd.wait(LOADED, "its list")
        check(all(q == "회" for q in wd.js("return window.__qs")),
              f"searched for 회, not 회ㅇ: {wd.js('return window.__qs')}")
        eq(wd.js(CARDS), ["회의록 정리"], "the memo with 회")
        eq(wd.js("return document.getElementById('empty').hidden"), True, "no 결과 없음")
        wd.js("var s = document.getElementById('search'); s.value = '회의';"
              " s.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true}));"
              " s.dispatchEvent(new CompositionEvent('compositionend', {data: '의'}));")
        wd.wait("return window.__qs.indexOf('회의') >= 0", "the syllable done: 회의 searched")
        wd.wait(LOADED, "its list")
        eq(wd.js(CARDS), ["회의록 정리"], "found")
        no_problems(wd, "search mid-syllable")


@test
@page_logic
def page_focus_after_card_actions(env):
    """Page: a #tag pressed in a card gives the focus to that tag's chip above the list drawn anew (it fell to the page's start), and 삭제 next to a card being edited gives it to the card past that one's 삭제 (the edited card's is hidden: the focus fell to the page's start)"""
    name = "페이지 카드 뒤 초점"
    b = api(env, name)
    first = post(b, "첫째 #회의")
    second = post(b, "둘째")
    third = post(b, "셋째")
    with Chromium(env, "focus-after-card-actions") as wd:
        open_page(wd, env, name)
        wd.wait("return !document.getElementById('tags').hidden", "the tag bar")
        wd.click(card(first, ".body button[data-tag]"))
        wd.wait("return document.getElementById('count').textContent === '#회의 메모 1개'",
                "the tag's list")
        eq(wd.js("var a = document.activeElement; return [a.closest('#tag-list') !== null,"
                 " a.dataset.tag]"), [True, "회의"], "the focus on the #회의 chip")
        wd.js("history.back()")
        wd.wait(f"return {LOADED[7:]} && document.querySelectorAll('li.memo').length === 3",
                "the whole list again")
        # Cards newest first: 셋째, 둘째, 첫째.  둘째 being edited, 셋째
        # deleted: the focus goes past 둘째 to 첫째's 삭제.
        wd.click(card(second, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{second}'", "둘째's editor")
        wd.click(card(third, ".card-actions .delete"))
        wd.wait(f"return !document.querySelector('{card(third)}')", "셋째 gone")
        eq(wd.js("var a = document.activeElement; var li = a.closest('li.memo');"
                 " return [li && li.dataset.id, a.classList.contains('delete')]"),
           [str(first), True], "the focus on 첫째's 삭제")
        no_problems(wd, "focus after card actions")


@test
@page_logic
def page_edit_after_a_lost_answer(env):
    """Page: an edit saved, its answer lost (the server had it), more typed, saved again: the 412 that brings back the editor's own earlier save is no conflict; the rest is saved on top of it (it was shown as another device's change, and 서버 내용 유지 dropped what was typed since); typed back to the text it had before the lost save, it is saved too (it was taken for nothing to save, and the server kept the lost save's text)"""
    name = "페이지 응답 분실 뒤 수정"
    b = api(env, name)
    mid = post(b, "장보기")
    with Chromium(env, "edit-after-lost-answer") as wd:
        open_page(wd, env, name)
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}' &&"
                f" document.getElementById('edit-{mid}').form.dataset.read === 'true'",
                "the editor, its version read")
        # The next PATCH reaches the server, but its answer never comes.
        wd.js("window.__f0 = window.fetch; window.__lost = 0;"
              " window.fetch = function (u, i) { var p = window.__f0(u, i);"
              " if (!i || i.method !== 'PATCH' || window.__lost) return p;"
              " window.__lost = 1; return p.then(function () {"
              "  throw new TypeError('Failed to fetch'); }); };")
        wd.keys(" 우유" + CTRL_ENTER)
        wd.wait("return document.getElementById('status').className === 'error'", "not answered")
        settled(lambda: memos(env, name)[mid][0], "장보기 우유", "the server has it")
        wd.keys(" 두부" + CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "saved and closed")
        eq(memos(env, name)[mid][0], "장보기 우유 두부", "the rest saved on top")
        eq(wd.js(CARDS), ["장보기 우유 두부"], "the card")
        eq(status(wd), "저장했습니다.", "said")
        # Lost again, then typed back to the text it had: saved, not
        # taken for nothing to save (the server has the lost save's text).
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}' &&"
                f" document.getElementById('edit-{mid}').form.dataset.read === 'true'",
                "the editor again, its version read")
        wd.js("window.__lost = 0")
        wd.keys(" 빵" + CTRL_ENTER)
        wd.wait("return document.getElementById('status').className === 'error'", "not answered")
        settled(lambda: memos(env, name)[mid][0], "장보기 우유 두부 빵", "the server has it")
        wd.js(f"var t = document.getElementById('edit-{mid}'); t.value = '장보기 우유 두부';"
              " t.dispatchEvent(new Event('input', {bubbles: true}));")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "saved and closed")
        eq(memos(env, name)[mid][0], "장보기 우유 두부", "the text typed back, saved")
        eq(wd.js(CARDS), ["장보기 우유 두부"], "the card")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "an edit after a lost answer")


@test
@page_logic
def page_editor_first_read_late(env):
    """Page: the editor's first read of the memo, answered only after a save of the editor's (the person typing on meanwhile), does not pose as the server's version: the next save goes through (it was shown as a conflict, and 서버 내용 유지 brought back the text from before the save)"""
    name = "페이지 늦은 첫 읽기"
    b = api(env, name)
    mid = post(b, "회의")
    with Chromium(env, "editor-first-read-late") as wd:
        open_page(wd, env, name)
        # The editor's first GET of the memo answered (as read then) only
        # at __releaseGet().
        wd.js("window.__g0 = window.fetch; window.__getHeld = false;"
              " window.fetch = function (u, i) {"
              " if (window.__getHeld || (i && i.method && i.method !== 'GET') ||"
              "  String(u) !== 'memo/' + arguments[0])"
              "  return window.__g0(u, i);"
              " window.__getHeld = true; var answer = window.__g0(u, i);"
              " return new Promise(function (ok) {"
              "  window.__releaseGet = ok; }).then(function () { return answer; }); };"
              .replace("arguments[0]", str(mid)))
        wd.click(card(mid, ".card-actions .edit"))
        wd.wait(f"return document.activeElement.id === 'edit-{mid}' && window.__getHeld",
                "the editor, its first read held")
        wd.js(HOLD_TEXT_PATCH)
        wd.keys(" 준비" + CTRL_ENTER)
        wd.wait("return window.__textHeld", "the save's PATCH held")
        wd.keys(" 끝")
        wd.js("window.__releaseText(); window.fetch = window.__f0")
        wd.wait("return document.getElementById('status').textContent.indexOf('저장했습니다.') === 0",
                "saved, the rest still in the editor")
        eq(memos(env, name)[mid][0], "회의 준비", "the first save")
        wd.js("window.__releaseGet()")
        wd.js(AFTER_TIMERS, 300)
        wd.js(f"document.getElementById('edit-{mid}').focus()")
        wd.keys(CTRL_ENTER)
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "saved and closed")
        eq(memos(env, name)[mid][0], "회의 준비 끝", "the second save")
        eq(wd.js(f"return document.querySelector('{card(mid)} .conflict') === null ||"
                 f" document.querySelector('{card(mid)} .conflict').hidden"), True, "no conflict")
        wd.js("window.fetch = window.__g0")
        no_problems(wd, "the editor's first read late")


@test
@page_logic
def page_long_status_on_a_phone(env):
    """Page: on a small phone (320 px), a long error stuck on top of the screen (the expired login's, five lines) does not cover the control the keyboard focuses below it: the page stops that control short of the line by its height as shown (the stylesheet's 6rem was two lines' worth); once the line is spent or empty, no padding"""
    name = "페이지 긴 상태 줄"
    b = api(env, name)
    ids = [post(b, f"메모 {i}") for i in range(20)]
    with Chromium(env, "long-status-phone") as wd:
        wd.viewport(320, 640, mobile=True)
        open_page(wd, env, name)
        wd.js("Memo.ui.status('로그인이 만료되었습니다. 이 브라우저에는 쓰던 내용을 보관할 수 없으니 "
              "이 탭은 닫지 말고, 새 탭에서 다시 로그인한 뒤 여기서 다시 저장해 주세요. "
              "새 탭에서 다시 로그인', 'error')")
        tall = wd.js("return document.getElementById('status').getBoundingClientRect().height")
        check(tall > 96, f"the line is taller on a phone than 6rem leaves room for: {tall}px")
        wd.js("window.scrollTo(0, document.body.scrollHeight)")
        # A card's 수정 far up the list, brought into view from below as
        # the keyboard's focus is (the nearest edge, the top): under the
        # stuck line, not behind it.
        target = card(ids[-2], ".card-actions .edit")   # near the top: scrolled up to
        wd.js("var e = document.querySelector(arguments[0]); e.focus({preventScroll: true});"
              " e.scrollIntoView({block: 'nearest'})", target)
        wd.js(NEXT_FRAME)
        top, bottom = wd.js("var b = document.querySelector(arguments[0]).getBoundingClientRect();"
                            " var s = document.getElementById('status').getBoundingClientRect();"
                            " return [b.top, s.bottom];", target)
        check(top >= bottom, f"the focused button ({top}px) below the status line ({bottom}px)")
        wd.js("Memo.ui.status('', '')")
        eq(wd.js("return document.documentElement.style.scrollPaddingTop"), "",
           "no padding without a line")
        no_problems(wd, "a long status on a phone")


@test
@page_logic
def page_tick_then_failed_delete(env):
    """Page: a checklist tick answered while its card was deleted, then the delete failing (503): the card comes back as the tick left it, ticked, its boxes usable (it came back with every box off for good and the old text)"""
    name = "페이지 체크 뒤 삭제 실패"
    b = api(env, name)
    mid = post(b, "장보기\n- [ ] 우유")
    box = card(mid, ".body input[data-line='1']")
    with Chromium(env, "tick-then-failed-delete") as wd:
        open_page(wd, env, name)
        wd.js(HOLD_TEXT_PATCH)
        wd.js("window.__f1 = window.fetch; window.fetch = function (u, i) {"
              " if (!i || i.method !== 'DELETE') return window.__f1(u, i);"
              " return new Promise(function (ok) { window.__releaseDelete = ok; })"
              "  .then(function () { return new Response('{\"error\":\"database unavailable\"}',"
              "   {status: 503, headers: {'Content-Type': 'application/json'}}); }); };")
        wd.click(box)
        wd.wait("return window.__textHeld", "the tick's PATCH held")
        wd.click(card(mid, ".card-actions .delete"))
        wd.wait(f"return !document.querySelector('{card(mid)}') && !!window.__releaseDelete",
                "the card gone, its DELETE held")
        eq(wd.js("window.__releaseText(); return window.__textAnswer.then(function (r) {"
                 " return new Promise(function (ok) { setTimeout(function () { ok(r.status); },"
                 " 300); }); })"), 200, "the tick answered while the card was gone")
        eq(memos(env, name)[mid], ("장보기\n- [x] 우유", False, False), "ticked on the server")
        wd.js("window.__releaseDelete()")
        wd.wait(f"return !!document.querySelector(\"{box}\")", "the card back, the delete failed")
        eq(wd.js(f"var c = document.querySelector(\"{box}\"); return [c.checked, c.disabled]"),
           [True, False], "ticked, and usable")
        wd.js("window.fetch = window.__f0")
        no_problems(wd, "a tick then a failed delete")
