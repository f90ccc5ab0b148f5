"""End-to-end check of `engine serve` on the GPU against the same server on the CPU (run by bin/gpu-run).

Sends the same greedy completions to both servers, several at once so the GPU batches them, plus one streamed
request, and prints whether each text matches the CPU's (and where it first differs). Exit status 1 when a request
fails; differing texts are reported, not failed: cuBLAS sums in another order than the CPU, so a near-tie may flip.
"""
import json
import sys
import threading
import time
import urllib.request

cpu, gpu = sys.argv[1], sys.argv[2]
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


def completions(base):
    out, errors = {}, []

    def one(p):
        try:
            body = {"model": "stories260K", "prompt": p, "max_tokens": 64, "temperature": 0}
            out[p] = json.loads(post(base, body))["choices"][0]["text"]
        except Exception as e:
            errors.append(f"{base} {p!r}: {e}")

    threads = [threading.Thread(target=one, args=(p,)) for p in prompts]
    start = time.time()
    [t.start() for t in threads]
    [t.join() for t in threads]
    return out, errors, time.time() - start


for base in (cpu, gpu):
    wait_ready(base)
c, cerr, ct = completions(cpu)
g, gerr, gt = completions(gpu)
failed = cerr + gerr
same = 0
for p in prompts:
    if p in c and p in g:
        if c[p] == g[p]:
            same += 1
        else:
            at = next((i for i, (a, b) in enumerate(zip(c[p], g[p])) if a != b), min(len(c[p]), len(g[p])))
            print(f"differs at char {at}: {p!r}\n  cpu: {c[p]!r}\n  gpu: {g[p]!r}")
print(f"{same} of {len(prompts)} greedy completions identical to the CPU's ({len(prompts)} at once: "
      f"cpu {ct:.2f} s, gpu {gt:.2f} s)")
stream = post(gpu, {"model": "stories260K", "prompt": prompts[0], "max_tokens": 32, "temperature": 0,
                    "stream": True})
chunks = [l for l in stream.splitlines() if l.startswith("data: ") and l != "data: [DONE]"]
text = "".join(json.loads(l[6:])["choices"][0].get("text", "") for l in chunks)
print(f"streamed: {len(chunks)} chunks, {'ends with [DONE]' if 'data: [DONE]' in stream else 'NO [DONE]'}, "
      f"text {'is' if g.get(prompts[0], '').startswith(text) and text else 'is NOT'} the start of the non-streamed one")
for e in failed:
    print("FAILED", e)
sys.exit(1 if failed else 0)
