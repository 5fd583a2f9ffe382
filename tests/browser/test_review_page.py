"""The review page in a real browser (Debian's chromium + chromedriver, driven by selenium)
against a real `lucid serve`: sign in, start a dream and watch it complete, open it, reject one
merge and one supersede, acknowledge the flags, promote, then check through the API that the
agent's store holds exactly the accepted changes. Screenshots go to LUCID_SCREENSHOTS.

Run by crates/lucid-cli/tests/browser.rs, which starts the server and passes LUCID_URL,
LUCID_API_KEY, LUCID_FIXTURES (tests/data/fleets) and LUCID_SCREENSHOTS.
"""

import json
import os
import pathlib
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["LUCID_URL"].rstrip("/")
KEY = os.environ["LUCID_API_KEY"]
OTHER_KEY = os.environ["LUCID_OTHER_KEY"]
FLEETS = pathlib.Path(os.environ["LUCID_FIXTURES"])
SHOTS = pathlib.Path(os.environ["LUCID_SCREENSHOTS"])
SHOTS.mkdir(parents=True, exist_ok=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def api(method, path, body=None, key=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header("x-api-key", key or KEY)
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read().decode()}") from None


def list_all(path):
    items, page = [], None
    while True:
        sep = "&" if "?" in path else "?"
        answer = api("GET", f"{path}{sep}limit=100" + (f"&page={page}" if page else ""))
        items += answer["data"]
        page = answer.get("next_page")
        if not page:
            return items


def items_of(documents):
    """Every list item or paragraph of every document, as (path, text)."""
    found = set()
    for doc in documents:
        for line in (doc.get("content") or "").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            found.add((doc["path"], re.sub(r"^[-*] ", "", line)))
    return found


def texts(items):
    return {text for _, text in items}


# --- Fixtures through the API: a store holding duplicates, old values and a secret; sessions
# that restate, update, and try to inject instructions.
store = api("POST", "/v1/memory_stores", {"name": "team memory"})["id"]
for fleet, path in [("merge-duplicates", "conventions.md"), ("supersede", "infra.md"),
                    ("safety", "team/preferences.md")]:
    content = (FLEETS / fleet / "store" / path).read_text()
    api("POST", f"/v1/memory_stores/{store}/memories", {"path": "/" + path, "content": content})
other_store = api("POST", "/v1/memory_stores", {"name": "another workspace's store"},
                  key=OTHER_KEY)["id"]
input_items = items_of(list_all(f"/v1/memory_stores/{store}/memories?view=full"))
agent = api("POST", "/v1/agents", {"name": "support-bot", "model": "claude-sonnet-4-6",
                                   "memory_store_id": store})["id"]
for fleet, agent_name in [("merge-duplicates", "coder"), ("supersede", "ops-bot"),
                          ("safety", "web-agent")]:
    folder = FLEETS / fleet / "sessions" / agent_name
    for transcript in sorted(folder.iterdir()):
        api("POST", "/v1/sessions/import", {"agent": agent_name, "filename": transcript.name,
                                            "transcript": transcript.read_text()})

# --- The browser: fresh profile, nothing reaching out.
profile = tempfile.mkdtemp(prefix="lucid-chromium-")
options = webdriver.ChromeOptions()
for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,800"]:
    options.add_argument(flag)
options.binary_location = os.environ.get("LUCID_CHROMIUM", "/usr/bin/chromium")
driver = webdriver.Chrome(options=options,
                          service=Service(os.environ.get("LUCID_CHROMEDRIVER", "/usr/bin/chromedriver")))
wait = WebDriverWait(driver, 30)


def css(selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def visible(selector):
    return wait.until(lambda d: d.find_element(By.CSS_SELECTOR, selector)
                      if d.find_elements(By.CSS_SELECTOR, selector) else False)


def viewport(width, height, mobile=False):
    """An exact viewport (a window size would include the browser's own frame)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    time.sleep(0.3)


def shot(name, at=None, full=False):
    """A screenshot of the viewport, scrolled to `at` (a selector) or the top; `full`: the
    whole page, as tall as it is."""
    if full:
        width = driver.execute_script("return window.innerWidth")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": min(height, 12000), "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.3)
    if at:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(at))
    else:
        driver.execute_script("window.scrollTo(0, 0)")
    path = SHOTS / name
    driver.save_screenshot(str(path))
    print(f"screenshot {path}")


def unlabelled_controls():
    """Controls a screen reader could not name."""
    return driver.execute_script("""
      return [...document.querySelectorAll('button, input, select, textarea, a[href]')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.textContent.trim() && el.type !== 'hidden')
        .map(el => el.outerHTML.slice(0, 120));
    """)


def no_sideways_scroll():
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")


try:
    viewport(1280, 800)
    driver.get(URL + "/")
    # A wrong key is refused and forgotten.
    visible("#api-key").send_keys("sk-lucid-not-a-key")
    css("#signin").click()
    wait.until(lambda d: "not valid" in css("#signin-status").text)
    check(driver.execute_script("return sessionStorage.length") == 0, "a refused key stayed stored")
    css("#api-key").clear()
    css("#api-key").send_keys(KEY)
    css("#signin").click()
    visible("#dreams-table")
    check(driver.execute_script("return sessionStorage.getItem('lucid.apiKey')") == KEY,
          "the key is kept in sessionStorage")
    check(driver.execute_script("return document.cookie") == "", "no cookie")
    check(KEY not in driver.current_url, "the key is never in the URL")

    # --- The page's own logic, run in the browser on known inputs: the word diff and the
    # dependencies that make a rejection carry over to the changes built on it.
    logic = driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      Promise.all([import('/assets/diff.js'), import('/assets/review.js')]).then(([d, r]) => done({
        changed: d.wordDiff('The deploy window is Tuesday', 'The deploy window is Thursday now.'),
        same: d.wordDiff('a b c', 'a b c'),
        fresh: d.wordDiff('', 'new item'),
        parents: Object.fromEntries(r.dependencies([
          {id: 'm', op: 'merge', text: 'A', replaces: ['x', 'y']},
          {id: 's', op: 'supersede', text: 'B', replaces: ['A']},
          {id: 'a', op: 'add', text: 'C', replaces: []},
          {id: 'r', op: 'remove', text: 'C', replaces: []},
          {id: 'f', op: 'flag', text: 'A', replaces: []},
        ])),
      })).catch((error) => done({error: String(error)}));
    """)
    check(logic.get("changed") == [
        {"kind": "same", "text": "The deploy window is "},
        {"kind": "removed", "text": "Tuesday"},
        {"kind": "added", "text": "Thursday now."}], f"word diff: {logic}")
    check(logic["same"] == [{"kind": "same", "text": "a b c"}], f"no change: {logic['same']}")
    check(logic["fresh"] == [{"kind": "added", "text": "new item"}], f"all new: {logic['fresh']}")
    check(logic["parents"] == {"m": [], "s": ["m"], "a": [], "r": ["a"], "f": []},
          f"dependencies: {logic['parents']}")

    # --- Start a dream from the form, with the estimate when the server gives one.
    dreams_before = {d["id"] for d in list_all("/v1/dreams")}
    css("#new-dream").click()
    visible("#new-dream-form")
    Select(css("#dream-store")).select_by_value(store)
    estimates = "dry_run" in json.dumps(
        json.load(urllib.request.urlopen(URL + "/openapi.json"))["components"]["schemas"]
        .get("CreateDream", {}).get("properties", {}))
    if estimates:
        visible("#estimate-facts")
        print("estimate:", css("#estimate").text.replace("\n", " | "))
        check("would run" in css("#estimate-verdict").text, "the estimate says the dream would run")
        check("5 of 5 sessions" in css("#estimate-facts").text, "the estimate counts the sessions")
        check(css("#start-dream").is_enabled(), "a dream that would run can be started")
        shot("new-dream-1280x800.png", at="#estimate")
    check(unlabelled_controls() == [], f"unlabelled controls: {unlabelled_controls()}")
    check({d["id"] for d in list_all("/v1/dreams")} == dreams_before,
          "estimating created no dream")
    css("#start-dream").click()
    wait.until(lambda d: re.search(r"#/dreams/drm_", d.current_url))
    dream = driver.current_url.split("#/dreams/")[1]
    # The dream's own page narrates it while it runs.
    visible("#narration li")
    print("narration on the dream page:", css("#narration").text.replace("\n", " | "))

    # --- Watch it in the list: the row updates live from the narration stream.
    driver.find_element(By.LINK_TEXT, "Dreams").click()
    row = f"tr[data-dream-id='{dream}']"
    visible(row)
    narration_seen = set()

    def completed(d):
        now = d.find_element(By.CSS_SELECTOR, f"{row} td.now").text
        if now:
            narration_seen.add(now)
        return d.find_element(By.CSS_SELECTOR, f"{row} .status").text == "completed"

    wait.until(completed)
    print("narration seen live:", sorted(narration_seen))
    check(narration_seen, "the running dream's narration streamed into the list")
    css(f"{row} a").click()

    # --- Review.
    visible("article.change")
    report = api("GET", f"/v1/dreams/{dream}/report")
    changes = {c["id"]: c for c in report["changes"]}
    merges = [c for c in report["changes"] if c["op"] == "merge"]
    supersedes = [c for c in report["changes"] if c["op"] == "supersede"]
    flags = [c for c in report["changes"] if c["op"] == "flag"]
    check(merges and supersedes and flags, f"the fixture gives merges, supersedes and flags: "
          f"{report['stats']['changes_by_op']}")
    shown = [e.get_attribute("data-change-id") for e in driver.find_elements(By.CSS_SELECTOR, "article.change")]
    reviewed = [c["id"] for c in report["changes"] if c["op"] in ("add", "merge", "supersede", "remove")]
    check(sorted(shown) == sorted(reviewed), f"every reviewable change is shown: {shown} vs {reviewed}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#flags li.flag")) == len(flags), "flags shown apart")
    # Word diff of a supersede: the old value struck, the new one inserted.
    first_supersede = css(f"article[data-change-id='{supersedes[0]['id']}']")
    check(first_supersede.find_elements(By.CSS_SELECTOR, ".replaces del")
          and first_supersede.find_elements(By.CSS_SELECTOR, ".replaces ins"), "a word diff")
    # Evidence excerpts open on demand.
    first_supersede.find_element(By.CSS_SELECTOR, "details.evidence summary").click()
    wait.until(lambda d: "loading" not in first_supersede.find_element(By.CSS_SELECTOR, "details.evidence ul").text
               and first_supersede.find_element(By.CSS_SELECTOR, "details.evidence ul").text)
    print("evidence:", first_supersede.find_element(By.CSS_SELECTOR, "details.evidence ul").text.replace("\n", " | "))
    check(first_supersede.find_elements(By.CSS_SELECTOR, "details.evidence blockquote"), "an excerpt")
    # Redactions are visible as redactions among the flags, and the flags' evidence (the
    # store's line, the session's event) never shows the secret itself.
    check(driver.find_elements(By.CSS_SELECTOR, "#flags mark.redacted"), "a redaction is marked")
    # Each opened excerpt loads and grows the page: bring the next summary into view and let
    # the one before finish, so a click lands on the summary and not on text that moved there.
    for summary in driver.find_elements(By.CSS_SELECTOR, "#flags details.evidence summary"):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
        summary.click()
        wait.until(lambda d: "loading" not in css("#flags").text)
    wait.until(lambda d: "loading" not in css("#flags").text)
    flags_text = css("#flags").text
    print("flags with evidence:", flags_text.replace("\n", " | ")[:600])
    for secret in ["ghp_FAKE0000000000000000000000000000EXAMPLE",
                   "sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE-EXAMPLEAA"]:
        check(secret not in driver.page_source, f"a secret is shown: {secret}")
    check("/team/preferences.md:4" in flags_text, "the store evidence names its line")

    # All and per group, then back to accepting everything.
    def card_states():
        return {e.get_attribute("data-change-id"): "rejected" in e.get_attribute("class")
                for e in driver.find_elements(By.CSS_SELECTOR, "article.change")}

    css("#reject-all").click()
    check(all(card_states().values()), "Reject all rejects every change")
    check(css("#summary-text").text.startswith(f"Apply 0 of {len(shown)}"), css("#summary-text").text)
    css("#accept-all").click()
    check(not any(card_states().values()), "Accept all accepts every change")
    adds = {c["id"] for c in report["changes"] if c["op"] == "add"}
    group = driver.find_element(By.CSS_SELECTOR, "section.op-add")
    group.find_element(By.CSS_SELECTOR, "button[aria-label^='Reject all additions']").click()
    check({i for i, out in card_states().items() if out} == adds, "Reject group rejects its changes")
    group.find_element(By.CSS_SELECTOR, "button[aria-label^='Accept all additions']").click()
    check(not any(card_states().values()), "Accept group accepts them again")

    # Reject the merge with the keyboard: k up to the first change, then j until the merge.
    for _ in range(len(shown)):
        driver.switch_to.active_element.send_keys("k")
    check(driver.switch_to.active_element.get_attribute("data-change-id") == shown[0],
          "k moves up to the first change")
    merge_id = merges[0]["id"]
    for _ in range(len(shown)):
        if driver.switch_to.active_element.get_attribute("data-change-id") == merge_id:
            break
        driver.switch_to.active_element.send_keys("j")
    check(driver.switch_to.active_element.get_attribute("data-change-id") == merge_id, "j reaches the merge")
    driver.switch_to.active_element.send_keys("r")
    merge_card = css(f"article[data-change-id='{merge_id}']")
    check("rejected" in merge_card.get_attribute("class"), "r rejected the merge")
    # a accepts again, r rejects again.
    driver.switch_to.active_element.send_keys("a")
    check("accepted" in merge_card.get_attribute("class"), "a accepts")
    driver.switch_to.active_element.send_keys("r")
    # Reject one supersede with its button.
    supersede_id = supersedes[0]["id"]
    css(f"article[data-change-id='{supersede_id}'] button.reject").click()
    check("rejected" in css(f"article[data-change-id='{supersede_id}']").get_attribute("class"), "button rejects")
    summary = css("#summary-text").text
    print("summary:", summary)
    check("leave out" in summary, f"the summary says what is left out: {summary}")

    # Flags gate promote.
    check(not css("#promote").is_enabled(), "promote waits for the flags to be acknowledged")
    css("#ack-flags").click()
    check(css("#promote").is_enabled(), "acknowledged: promote is enabled")
    check(css(f"#agent-{agent}").is_selected(), "the agent on the input store is preselected")
    # Every step is reachable with the keyboard: Tab from the acknowledgement reaches promote.
    for _ in range(300):
        if driver.switch_to.active_element.get_attribute("id") == "promote":
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("id") == "promote", "Tab reaches promote")
    check(unlabelled_controls() == [], f"unlabelled controls: {unlabelled_controls()}")
    shot("dream-1280x800.png")
    shot("dream-changes-1280x800.png", at=".groups")
    shot("dream-full-1280.png", full=True)
    viewport(1280, 800)

    # Phone width: the same page without sideways scrolling.
    viewport(390, 844, mobile=True)
    check(no_sideways_scroll(), "the dream page fits a phone-width screen")
    shot("dream-390x844.png", at=f"article[data-change-id='{merge_id}']")
    viewport(1280, 800)

    css("#promote").click()
    visible("dialog[open] #confirm-ok").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#promote-status .notice"))
    status = css("#promote-status").text
    print("promote:", status)
    check("Promoted" in status, status)

    # --- Through the API: the agent's store holds exactly the accepted changes.
    promoted_store = api("GET", f"/v1/agents/{agent}")["memory_store_id"]
    check(promoted_store and promoted_store != store, "the agent moved to a new store")
    promoted = items_of(list_all(f"/v1/memory_stores/{promoted_store}/memories?view=full"))
    rejected = {merge_id, supersede_id}
    # Dependents of a rejected change are rejected with it (the server's rule).
    grew = True
    while grew:
        grew = False
        for c in report["changes"]:
            if c["id"] in rejected or c["op"] in ("flag", "keep"):
                continue
            consumed = [c["text"]] if c["op"] == "remove" else c.get("replaces", [])
            if any(changes[p]["text"] in consumed for p in rejected
                   if changes[p]["op"] not in ("remove", "flag")):
                rejected.add(c["id"])
                grew = True
    have = texts(promoted)
    was = texts(input_items)
    for c in report["changes"]:
        replaced = [c["text"]] if c["op"] == "remove" else c.get("replaces", [])
        if c["op"] == "flag":
            check(c["text"] not in have, f"flagged text never written: {c['text']}")
        elif c["op"] == "keep":
            check(c["text"] in have, f"kept item present: {c['text']}")
        elif c["id"] in rejected:
            # The input store as it was: its items stay, the change's new text does not come.
            if c["op"] != "remove" and c["text"] not in was:
                check(c["text"] not in have, f"rejected {c['op']} absent: {c['text']}")
            for old in replaced:
                if old in was:
                    check(old in have, f"rejected {c['op']} keeps {old!r}")
                else:
                    check(old not in have, f"rejected {c['op']} brings no {old!r}")
        else:
            if c["op"] != "remove":
                check(c["text"] in have, f"accepted {c['op']} present: {c['text']}")
            for old in replaced:
                if old != c["text"]:
                    check(old not in have, f"accepted {c['op']} replaced {old!r}")
    # Nothing else: every promoted item is an input item or the result of an accepted change.
    accepted_texts = {c["text"] for c in report["changes"]
                      if c["id"] not in rejected and c["op"] in ("add", "merge", "supersede")}
    extra = {t for t in have if t not in texts(input_items) and t not in accepted_texts}
    check(not extra, f"items from nowhere: {extra}")
    versions = list_all(f"/v1/memory_stores/{promoted_store}/memory_versions")
    print("promoted store versions:", len(versions), "actors:",
          sorted({json.dumps(v.get("created_by"), sort_keys=True) for v in versions}))
    review = api("GET", f"/v1/dreams/{dream}").get("review")
    print("review decisions on the dream:", json.dumps(review))
    check(review and set(review["rejected"]) == rejected
          and set(review["accepted"]) == set(reviewed) - rejected,
          f"the dream keeps the decisions made in the page: {review}")
    check(review["reviewed_by"]["type"] == "api_actor", "reviewed by the key")
    by_reviewer = [v for v in versions if v.get("created_by") == review["reviewed_by"]]
    check(by_reviewer and all(v.get("created_by", {}).get("type") in ("api_actor", "dream_actor")
                              for v in versions), "accepted changes are versions by the reviewer")

    # --- The stores list shows this workspace's stores only.
    driver.find_element(By.LINK_TEXT, "Stores").click()
    visible("#stores-list li")
    listed = css("#stores-list").text
    check(promoted_store in listed and store in listed, listed)
    check(other_store not in listed and "another workspace" not in listed,
          "another workspace's store is not shown")

    # --- The store page: documents, history with actors, search; rollback.
    driver.get(f"{URL}/#/stores/{promoted_store}")
    visible("#documents details")
    visible("#versions-table tbody tr")
    css("#search-query").send_keys("staging database")
    css("#search-query").send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li"))
    print("search:", css("#search-results").text.replace("\n", " | "))
    css("#documents details summary").click()
    check(unlabelled_controls() == [], f"unlabelled controls: {unlabelled_controls()}")
    shot("store-1280x800.png")
    viewport(390, 844, mobile=True)
    check(no_sideways_scroll(), "the store page fits a phone-width screen")
    shot("store-390x844.png")
    viewport(1280, 800)
    css(f"#agents-table button[aria-label^='Roll support-bot back']").click()
    visible("dialog[open] #confirm-ok").click()
    wait.until(lambda d: api("GET", f"/v1/agents/{agent}")["memory_store_id"] == store)

    # Discard: the dream's own output store is archived (the agents keep theirs).
    output_store = api("GET", f"/v1/dreams/{dream}")["outputs"][0]["memory_store_id"]
    driver.get(f"{URL}/#/dreams/{dream}")
    visible("#review-decisions")
    css("#discard").click()
    visible("dialog[open] #confirm-ok").click()
    wait.until(lambda d: "Discarded" in css("#promote-status").text)
    check(api("GET", f"/v1/memory_stores/{output_store}")["archived_at"], "discarded output archived")
    check(api("GET", f"/v1/agents/{agent}")["memory_store_id"] == store, "the agent kept its store")

    # No request left this origin: every resource the page loaded came from the server.
    origins = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
    check(all(o == URL for o in origins), f"requests to other origins: {set(origins)}")
    # No script error and no policy violation in the console (the one 401 is the wrong key).
    problems = [e["message"] for e in driver.get_log("browser")
                if e["level"] == "SEVERE" and "401 (Unauthorized)" not in e["message"]]
    check(not problems, f"console errors: {problems}")
    print("BROWSER OK")
except Exception:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "failure.png"))
    print("page at failure:", driver.current_url, file=sys.stderr)
    print(driver.find_element(By.TAG_NAME, "body").text[:4000], file=sys.stderr)
    for entry in driver.get_log("browser") if hasattr(driver, "get_log") else []:
        print("console:", entry, file=sys.stderr)
    raise
finally:
    driver.quit()
