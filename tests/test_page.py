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
import unicodedata

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
    return f"#memo-{memo_id} {part}".strip()


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


@test
def page_delete_undo_trash(env):
    """Page: 삭제 with 실행 취소, then the 휴지통 view: purge date, 복원, 영구 삭제, 휴지통 비우기 with a confirmation"""
    name = "페이지 휴지통"
    b = api(env, name)
    ids = [post(b, f"메모 {i}") for i in range(1, 6)]       # 메모 5 is the newest
    with Chromium(env, "trash") as wd:
        open_page(wd, env, name)
        eq(wd.js(CARDS), [f"메모 {i}" for i in range(5, 0, -1)], "five cards")

        # 삭제: gone at once, in the trash in the database, undo offered.
        wd.click(card(ids[2], ".card-actions .delete"))
        wd.wait("return document.querySelector('#toast.show .toast-action') !== null",
                "the undo toast")
        eq(wd.text("#toast .toast-text"), "삭제했습니다", "the toast")
        eq(wd.text("#toast .toast-action"), "실행 취소", "its action")
        eq(wd.js(CARDS), ["메모 5", "메모 4", "메모 2", "메모 1"], "the card gone")
        eq(wd.text("#count"), "메모 4개", "the count")
        eq(memos(env, name)[ids[2]][2], True, "the row in the trash")
        wd.click("#toast .toast-action")
        wd.wait(f"return !!document.querySelector('{card(ids[2])}')", "the card back")
        eq(wd.js(CARDS), [f"메모 {i}" for i in range(5, 0, -1)], "restored in place")
        eq(memos(env, name)[ids[2]][2], False, "the row live again")
        eq(wd.text("#count"), "메모 5개", "the count again")

        # Three into the trash, one after the other.
        for i in (0, 1, 3):
            wd.click(card(ids[i], ".card-actions .delete"))
            wd.wait(f"return !document.querySelector('{card(ids[i])}')", f"메모 {i + 1} gone")
        eq(sorted(i for i, r in memos(env, name).items() if r[2]),
           sorted([ids[0], ids[1], ids[3]]), "three rows in the trash")

        # The trash view, by its tab; its URL survives a reload.
        wd.click("#nav a[data-view='trash']")
        wd.wait("return !document.getElementById('view-trash').hidden &&"
                " document.querySelectorAll('#trash-list li').length === 3", "the trash")
        check(wd.url().endswith("#view=trash"), f"the URL names the view: {wd.url()}")
        wd.refresh()
        wd.wait("return !document.getElementById('view-trash').hidden &&"
                " document.querySelectorAll('#trash-list li').length === 3",
                "the trash after a reload")
        eq(wd.text("#trash-count"), "휴지통 메모 3개", "its count")
        eq(wd.text("#trash-note"), "휴지통의 메모는 삭제하고 30일이 지나면 자동으로 영구 삭제됩니다.",
           "how long memos stay")
        purge = wd.js("return Array.from(document.querySelectorAll('#trash-list .purge-when'))"
                      ".map(function (e) { return e.textContent; })")
        check(all(re.fullmatch(r"\d{4}년 \d{1,2}월 \d{1,2}일 이후 영구 삭제", p) for p in purge),
              f"each says when it will be purged: {purge}")
        if env.web.mode == "cgi":
            wd.screenshot("trash")

        # 복원: back among the memos.
        wd.click(f"#trash-{ids[3]} .restore")
        wd.wait(f"return !document.getElementById('trash-{ids[3]}')",
                "restored out of the trash")
        eq(memos(env, name)[ids[3]][2], False, "the row live")
        eq(wd.text("#trash-count"), "휴지통 메모 2개", "the trash count")

        # 영구 삭제 asks first; 취소 keeps it.
        wd.click(f"#trash-{ids[1]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question")
        eq(wd.text("#dialog-title"), "영구 삭제할까요?", "its title")
        wd.click("#dialog-actions button.secondary")
        wd.wait("return !document.getElementById('dialog').open", "cancelled")
        check(ids[1] in memos(env, name), "kept after 취소")
        wd.click(f"#trash-{ids[1]} .purge")
        wd.wait("return document.getElementById('dialog').open", "the question")
        wd.click("#dialog-actions button.danger")
        wd.wait(f"return !document.getElementById('trash-{ids[1]}')",
                "purged")
        check(ids[1] not in memos(env, name), "the row gone for good")

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

        # Back to the memo list: the restored memo is there.
        wd.back()
        wd.wait("return !document.getElementById('view-memos').hidden", "Back: the memos")
        wd.wait(f"return {CARDS[7:-1]}.join('|') === '메모 5|메모 4|메모 3'", "three memos")
        wd.wait("return !document.querySelector('#toast.show')", "the toast gone by itself")
        no_problems(wd, "trash")
        print(f"    saw: undo restored 메모 3 in place; trash {purge}; left {wd.js(CARDS)}")


TAGLIST = ("return Array.from(document.querySelectorAll('#tag-list .chip')).map("
           "function (b) { return b.dataset.tag + ' ' + b.querySelector('.chip-count')"
           ".textContent + (b.getAttribute('aria-pressed') === 'true' ? ' on' : ''); });")


def marks(wd):
    return wd.js("return Array.from(document.querySelectorAll('#view-memos .body mark'))"
                 ".map(function (m) { return m.textContent; });")


@test
def page_pin_tags_search(env):
    """Page: 고정 section, #tag chips and the tag list filter, search as you type (debounced, stale answers dropped, marks, 결과 없음), all in the URL"""
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

        # 고정: its own section at the top.
        ids = {t: i for i, (t, _, _) in memos(env, name).items()}
        shop = ids["장보기 #집\n- [ ] 두부"]
        wd.click(card(shop, ".card-actions .pin"))
        wd.wait(f"return !!document.querySelector('#pinned #memo-{shop}')",
                "the pinned section")
        check(not wd.js("return document.getElementById('pinned-section').hidden"),
              "고정됨 shown")
        eq(wd.text("#pinned-heading"), "고정됨", "its heading")
        eq(memos(env, name)[shop][1], True, "pinned in the database")
        eq(wd.js(f"return document.querySelector('{card(shop, '.pin')}')"
                 ".getAttribute('aria-pressed')"), "true", "the button says it is on")
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
        wd.back()
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "Back: no filter")

        # Search as the person types: one request after the last key.
        wd.js("window.__searches = 0; var f = window.fetch; window.fetch = function (u, i) {"
              " if (/[?&]q=/.test(String(u))) window.__searches++; return f(u, i); };")
        wd.type("#search", "회의")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 3개'",
                "the results for 회의")
        time.sleep(0.4)
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
        wd.js("var f0 = window.fetch; window.fetch = function (u, i) {"
              " var slow = /q=slow/.test(String(u));"
              " return f0(u, i).then(function (r) { return slow ?"
              " new Promise(function (ok) { setTimeout(function () { ok(r); }, 1500); }) : r; });"
              "};")
        wd.js("var s = document.getElementById('search'); s.value = 'slow';"
              "s.dispatchEvent(new Event('input'));"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.js("var s = document.getElementById('search'); s.value = 'review';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return document.getElementById('count').textContent === '검색 결과 1개'",
                "the results for review")
        time.sleep(1.8)        # the slow answer arrives now
        eq(wd.js(CARDS), ["Quarterly REVIEW #Work"], "the newer query's results stay")
        eq(wd.text("#count"), "검색 결과 1개", "and its count")
        check("q=review" in wd.url(), f"the URL says review: {wd.url()}")

        # 결과 없음, a clear state.
        wd.js("var s = document.getElementById('search'); s.value = '없는말';"
              "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));")
        wd.wait("return !document.getElementById('empty').hidden", "no results")
        eq(wd.text("#empty"), "결과 없음 — ‘없는말’에 맞는 메모가 없습니다.", "결과 없음")
        eq(wd.text("#count"), "검색 결과 0개", "count 0")

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
        # Esc in the search box clears it.
        wd.click("#search")
        wd.keys(KEY["esc"])
        wd.wait("return document.getElementById('count').textContent === '#회사 메모 2개'",
                "Esc cleared the search")
        wd.go(start)
        wd.wait("return document.getElementById('count').textContent === '메모 5개'",
                "the start URL: everything")

        # 고정 해제.
        wd.click(card(shop, ".card-actions .pin"))
        wd.wait(f"return !!document.querySelector('#memos #memo-{shop}')",
                "unpinned")
        check(wd.js("return document.getElementById('pinned-section').hidden"),
              "no pinned section left")
        eq(memos(env, name)[shop][1], False, "unpinned in the database")
        no_problems(wd, "search")
        print(f"    saw: tags {wd.js(TAGLIST)}, {searches} requests for 회의 typed,"
              f" marks {marks(wd) or 'none now'}")


XSS = ("<img src=x onerror=\"window.__xss=1;document.title='pwned'\">"
       " <script>window.__xss=2</script>"
       " [누르기](javascript:window.__xss=3) javascript:window.__xss=4"
       " #<b>굵게</b> #태그<img src=x onerror=\"window.__xss=5\">"
       " https://safe.example/\"onmouseover=\"window.__xss=6")


@test
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
        b.request("PATCH", f"/memo/{todo}", body=json.dumps(
            {"text": want + "\n- [ ] 다른 기기에서 추가"}).encode(),
            headers={"Content-Type": "application/json"})
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
