"""test_page.py - the memo page in headless Chromium, used as a person uses
it: every action of issue 13 (edit in place, conflicts between two tabs,
history, delete and undo, the trash, pins, tags, search, checklists and
links, paging over 300 memos, drafts across an expired session, Korean
IME composition, no JavaScript, touch, keyboard), each followed by a look
at the screen AND at the rows in the database.

The page is served under a mount prefix (env.web_prefix, /memo/), so every
URL it uses must be relative.  run.py runs this module against lighttpd in
CGI mode and again in FastCGI mode ("[fastcgi] …").  Screenshots of the
main views (desktop and 390 px, light and dark, 300 memos) are saved
under var/test/browser/screens/ in CGI mode.  Each browser test also
requires that the page ran without a script error, an unhandled promise
rejection or a Content-Security-Policy violation."""
import concurrent.futures
import json
import os
import re
import time

from chromium import KEY, Chromium
from lib import Browser, check, eq, login, naver_id, test

HTDOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "htdocs")
CTRL_ENTER = KEY["ctrl"] + KEY["enter"] + KEY["null"]

# ---- what the page shows ----

CARDS = ("return Array.from(document.querySelectorAll("
         "'#view-memos li.memo:not(.editing) > .body')).map(function (e) {"
         " return e.textContent; });")
LOADED = ("return !document.getElementById('view-memos').hasAttribute('aria-busy')"
          " && document.getElementById('count').textContent !== '';")


def card(memo_id, part=""):
    return f'#view-memos li.memo[data-id="{memo_id}"] {part}'.strip()


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
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "discarded")
        eq(wd.js(CARDS), ["첫 메모 #일 고침"], "the card unchanged")
        eq(text_of(env, mid), "첫 메모 #일 고침", "the row unchanged")

        # History: the earlier text, restored (an edit like any other).
        wd.click(card(mid, ".edited"))
        wd.wait("return document.querySelectorAll('#dialog .revision').length === 2",
                "the history dialog")
        eq(wd.text("#dialog-title"), "수정 기록", "its title")
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
        no_problems(wd, "edit")
        print(f"    saw: card {wd.js(CARDS)}, {edited!r}, revisions {revisions(env, mid)}")


@test
def page_two_tab_conflict(env):
    """Page: two tabs edit one memo: the second save gets 412 and shows both versions; keep mine, keep theirs, save as new, copy"""
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
        wd.wait(f"return !!document.querySelector('{card(mid)} .conflict:not([hidden])')",
                "the conflict")
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
        wd.click(card(mid, ".conflict-actions .copy-mine"))
        wd.wait("return /복사/.test(document.getElementById('status').textContent)",
                "a copy message")
        wd.click(card(mid, ".conflict-actions .keep-mine"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "mine saved")
        eq(text_of(env, mid), mine, "mine stored")
        eq(revisions(env, mid)[-1], theirs, "theirs kept as a revision")
        eq(wd.js(f"return document.querySelector('{card(mid)} > .body').textContent"), mine,
           "mine on the card")

        # Again, changed by another client while tab 2 types: keep the server's.
        def patch(text):
            r = b.request("PATCH", f"/memo/{mid}", body=json.dumps({"text": text}).encode(),
                          headers={"Content-Type": "application/json"})
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
        wd.wait(f"return !!document.querySelector('{card(mid)} .conflict:not([hidden])')",
                "the second conflict")
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
        wd.wait(f"return !!document.querySelector('{card(mid)} .conflict:not([hidden])')",
                "the third conflict")
        wd.click(card(mid, ".conflict-actions .save-new"))
        wd.wait(f"return !document.querySelector('{card(mid)}.editing')", "closed")
        rows = memos(env, name)
        eq(rows[mid][0], "API 두 번째", "the server's text kept")
        new = [t for i, (t, _, _) in rows.items() if i != mid]
        eq(new, ["API에서 고침 + 탭 1"], "mine as a new memo")
        wd.wait("return document.getElementById('count').textContent === '메모 2개'", "2 memos")
        eq(wd.js(CARDS), ["API에서 고침 + 탭 1", "API 두 번째"], "both cards")
        no_problems(wd, "tab 1")
        print(f"    saw: 412 shown as two versions three times; rows {sorted(rows.values())}")
