#!/usr/bin/env bash
# How well a Switchboard answers from an FAQ: loads the FAQ and labelled customer messages of FILE.json (format:
# docs/faq-matching.md) through the REST API into a fresh workspace, asks the matcher about every message
# (POST /api/v1/faqs/match, a dry run) and prints recall, wrong answers and false auto-answers per category and per
# language, and the server-side match latency p50/p99 (embedding + matching, as the bot does it): of the first pass,
# which a freshly started app spends partly compiling, and of WARM_PASSES more passes over the same messages (default
# 2; 0 skips them), the figure for a server that has been running a while. Without a model the bot offers the nearest
# entries when it is unsure: "picked" counts answerable messages whose right entry was offered, "with-picks" the
# share answered right at once or after that pick, "offered" the must-not-answer messages shown offers (never answered).
# VERIFY=1 puts borderline matches to the server's model as the bot does and prints how often it was asked and the
# latency it adds (a bot with a model offers nothing).
#   bench/faq-eval.sh FILE.json
# Against a running Switchboard: SWITCHBOARD_URL=http://127.0.0.1:8080 SWITCHBOARD_ADMIN_TOKEN=... bench/faq-eval.sh F
# Without those it packages the app (skip with SKIP_BUILD=1) and runs it on a fresh embedded PostgreSQL meanwhile.
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: bench/faq-eval.sh FILE.json" >&2; exit 2; }
FILE=$(realpath "$1")
if [ -n "${SWITCHBOARD_URL:-}" ]; then
  URL=$SWITCHBOARD_URL
  TOKEN=${SWITCHBOARD_ADMIN_TOKEN:?SWITCHBOARD_ADMIN_TOKEN is needed with SWITCHBOARD_URL}
else
  source "$(dirname "$0")/lib.sh"
  start_app
  URL=http://127.0.0.1:$PORT
fi
WARM_PASSES=${WARM_PASSES:-2}
[[ $WARM_PASSES =~ ^[0-9]+$ ]] || { echo "WARM_PASSES must be a whole number, was '$WARM_PASSES'" >&2; exit 2; }
VERIFY=${VERIFY:-0}
[[ $VERIFY =~ ^[01]$ ]] || { echo "VERIFY must be 0 or 1, was '$VERIFY'" >&2; exit 2; }
python3 - "$FILE" "$URL" "$TOKEN" "$WARM_PASSES" "$VERIFY" <<'PY'
import json, sys, time, urllib.request, urllib.error
path, url, token = sys.argv[1:4]
warm_passes, verify = int(sys.argv[4]), sys.argv[5] == "1"

def fail(msg):
    sys.exit(f"{path}: {msg}")

try:
    data = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as e:
    fail(f"not readable JSON: {e}")
if not isinstance(data.get("faq"), list) or not data["faq"]:
    fail("'faq' must be a non-empty list")
if not isinstance(data.get("messages"), list) or not data["messages"]:
    fail("'messages' must be a non-empty list")

def call(method, route, body, bearer):
    req = urllib.request.Request(url + route, method=method, data=json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + bearer, "Content-Type": "application/json"})
    while True:
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            # an API key may make 600 requests a minute: a large file, or its warm passes, waits its turn (the
            # latency reported is the server's own, so the wait does not count)
            if e.code == 429 and e.headers.get("Retry-After", "").isdigit():
                time.sleep(int(e.headers["Retry-After"]))
                continue
            sys.exit(f"{method} {route}: HTTP {e.code}: {e.read().decode(errors='replace')}")

ws = call("POST", "/api/v1/workspaces", {"name": "faq-eval " + time.strftime("%H:%M:%S")}, token)
key = ws["apiKey"]
ids = {}
for i, e in enumerate(data["faq"]):
    for field in ("id", "question", "answer"):
        if not isinstance(e.get(field), str) or not e[field].strip():
            fail(f"faq[{i}].{field} is missing or not a text")
    body = {"question": e["question"], "answer": e["answer"], "variants": e.get("variants", []),
            "language": e.get("language", "en")}
    ids[call("POST", "/api/v1/faqs", body, key)["id"]] = e["id"]

tallies, micros, verify_micros = {}, [], []
def tally(key):
    return tallies.setdefault(key, {"msgs": 0, "answerable": 0, "right": 0, "wrong": 0, "mustnot": 0, "false": 0,
                                    "picked": 0, "offered": 0})
for i, m in enumerate(data["messages"]):
    if not isinstance(m.get("text"), str) or not m["text"].strip():
        fail(f"messages[{i}].text is missing or not a text")
    expected = m.get("expected")
    if expected is not None and expected not in ids.values():
        fail(f"messages[{i}].expected: no FAQ entry with id '{expected}'")
    r = call("POST", "/api/v1/faqs/match", {"message": m["text"], "verify": verify}, key)
    micros.append(r["micros"])
    if r["modelAsked"]:
        verify_micros.append(r["verifyMicros"])
    got = ids.get(r["answerId"]) if r["answerId"] else None
    offers = [ids.get(o) for o in r["offers"]]
    for t in (tally("ALL"), tally("cat " + m.get("category", "-")), tally("lang " + m.get("language", "en"))):
        t["msgs"] += 1
        if expected is None:
            t["mustnot"] += 1
            t["false"] += got is not None
            t["offered"] += got is None and bool(offers)
        else:
            t["answerable"] += 1
            t["right"] += got == expected
            t["wrong"] += got is not None and got != expected
            t["picked"] += got is None and expected in offers

pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"
print(f"{data.get('name', path)}: {len(data['faq'])} entries, {len(data['messages'])} messages, {url}"
      + (", borderline matches put to the model" if verify else ", matcher alone"))
print(f"  {'slice':<16} {'msgs':>5} {'answ':>5} {'right':>6} {'recall':>7} {'wrong':>6} {'must-not':>9} {'false-auto':>10}"
      f" {'picked':>7} {'with-picks':>11} {'offered':>8}")
for k in ["ALL"] + sorted(k for k in tallies if k != "ALL"):
    t = tallies[k]
    print(f"  {k:<16} {t['msgs']:>5} {t['answerable']:>5} {t['right']:>6} {pct(t['right'], t['answerable']):>7} "
          f"{t['wrong']:>6} {t['mustnot']:>9} {pct(t['false'], t['mustnot']):>10} {t['picked']:>7} "
          f"{pct(t['right'] + t['picked'], t['answerable']):>11} {t['offered']:>8}")

def latency(label, samples):
    samples = sorted(samples)
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))] / 1000
    print(f"  {label}: p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, max {samples[-1] / 1000:.1f} ms")
latency("match latency, first pass (server side: embed + match)", micros)
if verify:
    print(f"  model asked about {len(verify_micros)} of {len(data['messages'])} messages")
    if verify_micros:
        latency("model verification (one classification request, added to the match)", verify_micros)
warm = [call("POST", "/api/v1/faqs/match", {"message": m["text"]}, key)["micros"]
        for _ in range(warm_passes) for m in data["messages"]]
if warm:
    latency(f"match latency, {warm_passes} warm passes (server side: embed + match)", warm)
PY
