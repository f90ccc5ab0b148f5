"""End-to-end check of `engine serve` on the GPU against the same server on the CPU (run by bin/gpu-run).

    gpu-serve-check.py CPU_URL GPU_URL [GPU_DRAFT_URL]

Sends the same greedy completions to both servers, several at once so the GPU batches them, plus one streamed
request, and prints whether each text matches the CPU's (and where it first differs). With a third server (the GPU
with --draft suffix), sends the prompts again with the GPU's own answers as draft_corpus, so nearly every draft is
accepted and every verify pass and KV rollback runs on the device, and compares those texts with the GPU's. Exit
status 1 when a request fails; differing texts are reported, not failed: cuBLAS sums in another order than the CPU
(and than a one-token step), so a near-tie may flip.
"""
import json
import sys
import threading
import time
import urllib.request

cpu, gpu = sys.argv[1], sys.argv[2]
draft = sys.argv[3] if len(sys.argv) > 3 else None
prompts = ["Once upon a time", "The little dog", "Lily and Ben went to the park", "One day, a big bird",
           "Tom had a red ball", "The sun was hot and", "Mom said", "There was a cat who"]


def post(base, body, timeout=60):
    req = urllib.request.Request(base + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def wait_ready(base):
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/v1/models", timeout=2).read()
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{base}: server not ready after 120 s")


def completions(base, corpus=None):
    out, errors = {}, []

    def one(p):
        try:
            body = {"model": "stories260K", "prompt": p, "max_tokens": 64, "temperature": 0}
            if corpus:
                body["draft_corpus"] = [corpus[p]]
            out[p] = json.loads(post(base, body))["choices"][0]["text"]
        except Exception as e:
            errors.append(f"{base} {p!r}: {e}")

    threads = [threading.Thread(target=one, args=(p,)) for p in prompts]
    start = time.time()
    [t.start() for t in threads]
    [t.join() for t in threads]
    return out, errors, time.time() - start


def compare(name, ref, got):
    same = 0
    for p in prompts:
        if p in ref and p in got:
            if ref[p] == got[p]:
                same += 1
            else:
                at = next((i for i, (a, b) in enumerate(zip(ref[p], got[p])) if a != b), min(len(ref[p]), len(got[p])))
                print(f"differs at char {at}: {p!r}\n  {name[0]}: {ref[p]!r}\n  {name[1]}: {got[p]!r}")
    return same


for base in (cpu, gpu) + ((draft,) if draft else ()):
    wait_ready(base)
c, cerr, ct = completions(cpu)
g, gerr, gt = completions(gpu)
failed = cerr + gerr
same = compare(("cpu", "gpu"), c, g)
print(f"{same} of {len(prompts)} greedy completions identical to the CPU's ({len(prompts)} at once: "
      f"cpu {ct:.2f} s, gpu {gt:.2f} s)")
if draft:
    d, derr, dt = completions(draft, corpus=g)
    failed += derr
    same = compare(("gpu", "gpu with drafts"), g, d)
    print(f"{same} of {len(prompts)} with suffix drafts on the GPU identical to the GPU without ({dt:.2f} s)")
stream = post(gpu, {"model": "stories260K", "prompt": prompts[0], "max_tokens": 32, "temperature": 0,
                    "stream": True})
chunks = [l for l in stream.splitlines() if l.startswith("data: ") and l != "data: [DONE]"]
text = "".join(json.loads(l[6:])["choices"][0].get("text", "") for l in chunks)
print(f"streamed: {len(chunks)} chunks, {'ends with [DONE]' if 'data: [DONE]' in stream else 'NO [DONE]'}, "
      f"text {'is' if g.get(prompts[0], '').startswith(text) and text else 'is NOT'} the start of the non-streamed one")
for e in failed:
    print("FAILED", e)
sys.exit(1 if failed else 0)
