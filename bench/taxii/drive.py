#!/usr/bin/env python3
"""TAXII 2.1 side-by-side benchmark driver.

(a) POSTs one envelope of N (default 10,000) STIX 2.1 indicators, generated
    deterministically from a seed and saved once to a file (the same bytes
    for every server), and times until the status resource says `complete`;
(b) GETs a page of `limit=1000` objects R (default 20) times and reports the
    median and p95 wall time;
(c) prints a Markdown table row (and the header with --header).

Only the standard library and `requests` are needed.

    python drive.py --url http://127.0.0.1:8080/taxii2/ --user U --password P \
        --collection ID --label "holisec" [--header]
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

import requests

TAXII_21 = "application/taxii+json;version=2.1"


def make_envelope(n, seed):
    """N valid STIX 2.1 indicators; identical for identical (n, seed)."""
    rng = random.Random(seed)
    objs = []
    for i in range(n):
        oid = uuid.UUID(int=rng.getrandbits(128), version=4)
        ms = i % 1000
        ts = "2026-01-%02dT%02d:%02d:%02d.%03dZ" % (
            1 + (i // 86400) % 28, (i // 3600) % 24, (i // 60) % 60, i % 60, ms)
        a, b, c = rng.randrange(1, 224), rng.randrange(256), rng.randrange(256)
        objs.append({
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--%s" % oid,
            "created": ts,
            "modified": ts,
            "name": "bench indicator %d" % i,
            "indicator_types": ["malicious-activity"],
            "pattern": "[ipv4-addr:value = '%d.%d.%d.%d']" % (a, b, c, i % 254 + 1),
            "pattern_type": "stix",
            "valid_from": ts,
        })
    return {"objects": objs}


def bundle_file(n, seed, path=None):
    path = path or os.path.join(tempfile.gettempdir(), "holisec-taxii-bench-%d-%d.json" % (n, seed))
    if not os.path.exists(path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(make_envelope(n, seed), f, separators=(",", ":"))
        os.replace(tmp, path)
    return path


def api_root_of(s, discovery, collection, timeout):
    r = s.get(discovery, timeout=timeout)
    r.raise_for_status()
    d = r.json()
    roots = list(d.get("api_roots", []))
    if d.get("default") and d["default"] not in roots:
        roots.insert(0, d["default"])
    for root in roots:
        root = requests.compat.urljoin(discovery, root)
        root = root if root.endswith("/") else root + "/"
        rc = s.get(root + "collections/", timeout=timeout)
        if rc.ok and collection in [c.get("id") for c in rc.json().get("collections", [])]:
            return root
    sys.exit("no API root of %s lists collection %s" % (discovery, collection))


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="discovery URL")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--collection", required=True, help="id of a writable collection")
    ap.add_argument("--api-root", help="API root URL (default: found from discovery)")
    ap.add_argument("--label", default="server")
    ap.add_argument("--objects", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--bundle", help="envelope file (default: a file in the temp dir, made once)")
    ap.add_argument("--chunk", type=int, default=0,
                    help="objects per POST (default 0: all in one request)")
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--header", action="store_true", help="print the table header first")
    a = ap.parse_args()

    s = requests.Session()
    s.auth = (a.user, a.password)
    s.headers["Accept"] = TAXII_21
    root = a.api_root or api_root_of(s, a.url, a.collection, a.timeout)
    objects_url = "%scollections/%s/objects/" % (root, a.collection)

    path = bundle_file(a.objects, a.seed, a.bundle)
    with open(path, "rb") as f:
        raw = f.read()
    objs = json.loads(raw)["objects"]
    if a.chunk and a.chunk < len(objs):
        bodies = [json.dumps({"objects": objs[i:i + a.chunk]}, separators=(",", ":")).encode()
                  for i in range(0, len(objs), a.chunk)]
    else:
        bodies = [raw]

    # (a) POST and wait for completion
    t0 = time.perf_counter()
    succeeded = 0
    for body in bodies:
        r = s.post(objects_url, data=body, timeout=a.timeout,
                   headers={"Content-Type": TAXII_21, "Accept": TAXII_21})
        if r.status_code != 202:
            sys.exit("POST -> HTTP %s: %s" % (r.status_code, r.text[:500]))
        st = r.json()
        while st.get("status") != "complete":
            if time.perf_counter() - t0 > a.timeout:
                sys.exit("status %s not complete after %ss" % (st.get("id"), a.timeout))
            time.sleep(0.05)
            rs = s.get("%sstatus/%s/" % (root, st["id"]), timeout=a.timeout)
            rs.raise_for_status()
            st = rs.json()
        succeeded += st.get("success_count", 0)
    post_s = time.perf_counter() - t0
    if succeeded != len(objs):
        print("warning: success_count %d of %d" % (succeeded, len(objs)), file=sys.stderr)

    # (b) GET a limit=1000 page R times
    times, sizes = [], set()
    for _ in range(a.repeat):
        t = time.perf_counter()
        r = s.get(objects_url, params={"limit": str(a.limit)}, timeout=a.timeout)
        body = r.content
        times.append(time.perf_counter() - t)
        if r.status_code != 200:
            sys.exit("GET -> HTTP %s: %s" % (r.status_code, r.text[:500]))
        sizes.add(len(json.loads(body).get("objects", [])))

    # (c) Markdown
    if a.header:
        print("| server | objects POSTed | requests | POST until complete (s) | objects/s "
              "| page size asked / got | GET page median (ms) | GET page p95 (ms) | GETs |")
        print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    print("| %s | %d | %d | %.2f | %.0f | %d / %s | %.1f | %.1f | %d |" % (
        a.label, len(objs), len(bodies), post_s, len(objs) / post_s, a.limit,
        ",".join(str(x) for x in sorted(sizes)), statistics.median(times) * 1000,
        pct(times, 95) * 1000, a.repeat), flush=True)


if __name__ == "__main__":
    main()
