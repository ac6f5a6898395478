"""The checks of the TAXII 2.1 interoperability suite.

Every test method is one check; the first line of its docstring names the
pitfall it looks for. Objects are created with `stix2` and the protocol is
spoken both with raw `requests` (to see headers and exact status codes) and
with `taxii2client.v21` (what many real clients use).

References are to OASIS TAXII Version 2.1 (OASIS Standard, 10 June 2021),
https://docs.oasis-open.org/cti/taxii/v2.1/taxii-v2.1.html
"""

import datetime as dt
import json
import re
import time
import unittest
import uuid

import requests
import stix2
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from .config import CONFIG

TAXII_21 = "application/taxii+json;version=2.1"
STIX_21 = "application/stix+json;version=2.1"

# The official TLP 2.0 marking definitions (OASIS cti-stix-common-objects,
# extension-definition-specifications/tlp-2.0/); the same ids as
# crates/holisec-exchange/src/taxii/tlp.rs.
TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
TLP2_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

# RFC 3339 section 5.6 date-time (with the `T`; an offset or `Z` is mandatory).
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)

BATCH_SIZE = 25
OTHER_SIZE = 5
MAX_PAGES = 5000


def _norm_media(value):
    return (value or "").replace(" ", "").replace('"', "").lower()


def parse_rfc3339(value):
    """Parse an RFC 3339 timestamp to an aware datetime (microseconds)."""
    if not RFC3339.match(value or ""):
        raise ValueError("not RFC 3339: %r" % (value,))
    v = value
    if v.endswith("Z") or v.endswith("z"):
        v = v[:-1] + "+00:00"
    # Python keeps microseconds: cut longer fractions (nanoseconds).
    m = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$", v)
    frac = (m.group(2) or "")[:7]
    return dt.datetime.fromisoformat(m.group(1) + frac + m.group(3))


def fmt_rfc3339(ts):
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Context:
    """What the checks share: sessions, URLs and the objects posted once."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.run_id = uuid.uuid4().hex[:8]
        self._api_root = None
        self._batch = None
        self._red = None

    def session(self, user=None, password=None, auth=True):
        s = requests.Session()
        if auth:
            s.auth = (user or self.cfg.user, password if user else self.cfg.password)
        s.headers["Accept"] = TAXII_21
        return s

    def get(self, url, params=None, accept=TAXII_21, session=None, **kw):
        s = session or self.session()
        return s.get(url, params=params, headers={"Accept": accept},
                     timeout=self.cfg.timeout, **kw)

    # -- URLs -------------------------------------------------------------
    @property
    def api_root(self):
        if self._api_root:
            return self._api_root
        if self.cfg.api_root:
            self._api_root = self.cfg.api_root
            return self._api_root
        r = self.get(self.cfg.discovery_url)
        r.raise_for_status()
        disc = r.json()
        roots = list(disc.get("api_roots", []))
        if disc.get("default") and disc["default"] not in roots:
            roots.insert(0, disc["default"])
        for root in roots:
            root = requests.compat.urljoin(self.cfg.discovery_url, root)
            if not root.endswith("/"):
                root += "/"
            rc = self.get(root + "collections/")
            if rc.status_code != 200:
                continue
            ids = [c.get("id") for c in rc.json().get("collections", [])]
            if self.cfg.write_collection in ids:
                self._api_root = root
                return root
        raise AssertionError(
            "no API root of %s lists the collection %s (set TAXII_API_ROOT)"
            % (self.cfg.discovery_url, self.cfg.write_collection))

    def collection_url(self, coll=None):
        return "%scollections/%s/" % (self.api_root, coll or self.cfg.write_collection)

    def objects_url(self, coll=None):
        return self.collection_url(coll) + "objects/"

    # -- posting ----------------------------------------------------------
    def post_envelope(self, objects, coll=None, content_type=TAXII_21, session=None):
        s = session or self.session()
        body = json.dumps({"objects": objects})
        return s.post(self.objects_url(coll), data=body,
                      headers={"Content-Type": content_type, "Accept": TAXII_21},
                      timeout=self.cfg.timeout)

    def wait_status(self, status, session=None, timeout=120):
        """Poll the status resource until it is complete; return it."""
        deadline = time.time() + timeout
        while status.get("status") != "complete":
            if time.time() > deadline:
                raise AssertionError("status %s still %r after %ss"
                                     % (status.get("id"), status.get("status"), timeout))
            time.sleep(0.5)
            r = self.get("%sstatus/%s/" % (self.api_root, status["id"]), session=session)
            r.raise_for_status()
            status = r.json()
        return status

    def indicator(self, i, markings=None, tag="batch"):
        kwargs = {}
        if markings:
            kwargs["object_marking_refs"] = markings
        ind = stix2.v21.Indicator(
            name="interop %s %s %d" % (self.run_id, tag, i),
            pattern="[ipv4-addr:value = '198.51.%d.%d']" % (i // 250, i % 250 + 1),
            pattern_type="stix",
            valid_from="2026-01-01T00:00:00Z",
            **kwargs)
        return json.loads(ind.serialize())

    @property
    def batch(self):
        """25 indicators posted in ONE request (so they share one date_added),
        then 5 identities in a second request (so that type filters matter)."""
        if self._batch is not None:
            if isinstance(self._batch, Exception):
                raise self._batch
            return self._batch
        try:
            inds = [self.indicator(i) for i in range(BATCH_SIZE)]
            r = self.post_envelope(inds)
            if r.status_code != 202:
                raise AssertionError("POST of %d indicators: HTTP %s %s"
                                     % (BATCH_SIZE, r.status_code, r.text[:300]))
            status1 = self.wait_status(r.json())
            others = [json.loads(stix2.v21.Identity(
                name="interop %s identity %d" % (self.run_id, i),
                identity_class="organization").serialize()) for i in range(OTHER_SIZE)]
            r2 = self.post_envelope(others)
            if r2.status_code != 202:
                raise AssertionError("POST of identities: HTTP %s %s"
                                     % (r2.status_code, r2.text[:300]))
            self.wait_status(r2.json())
            self._batch = {
                "indicators": inds,
                "others": others,
                "post_response": r,
                "status": status1,
            }
        except Exception as e:  # remembered so every dependent check says why
            self._batch = e
            raise
        return self._batch

    @property
    def batch_ids(self):
        return [o["id"] for o in self.batch["indicators"]]


CTX = Context(CONFIG)


def strict(test):
    """Decorator: the check runs only with TAXII_STRICT=1."""
    def wrapper(self):
        if not CONFIG.strict:
            self.skipTest("beyond the spec's MUSTs; set TAXII_STRICT=1")
        return test(self)
    wrapper.__name__ = test.__name__
    wrapper.__doc__ = test.__doc__
    return wrapper


class TaxiiInterop(unittest.TestCase):
    maxDiff = 2000

    # ----------------------------------------------------------------- helpers
    def assertTaxiiContentType(self, r):
        ct = r.headers.get("Content-Type", "")
        self.assertEqual(_norm_media(ct), TAXII_21,
                         "Content-Type %r, expected %r" % (ct, TAXII_21))

    def accept_check(self, accept, expect=200):
        url = CTX.api_root
        r = CTX.get(url, accept=accept)
        self.assertEqual(r.status_code, expect,
                         "GET %s with Accept: %s -> HTTP %s: %s"
                         % (url, accept, r.status_code, r.text[:200]))
        if expect == 200:
            self.assertTaxiiContentType(r)
            r = CTX.get(CTX.objects_url(), params={"limit": "1"}, accept=accept)
            self.assertEqual(r.status_code, 200,
                             "GET objects with Accept: %s -> HTTP %s" % (accept, r.status_code))
            self.assertTaxiiContentType(r)

    def page_raw(self, params, url=None, session=None, max_pages=MAX_PAGES):
        """Follow `next` from a first request with `params`; the same filters
        are sent again with every `next`. Returns (objects, responses)."""
        url = url or CTX.objects_url()
        objs, responses = [], []
        nxt = None
        for _ in range(max_pages):
            p = dict(params)
            if nxt:
                p["next"] = nxt
            r = CTX.get(url, params=p, session=session)
            self.assertEqual(r.status_code, 200, "GET %s %s -> HTTP %s: %s"
                             % (url, p, r.status_code, r.text[:300]))
            env = r.json()
            responses.append(r)
            objs.extend(env.get("objects", []))
            if not env.get("more"):
                return objs, responses
            nxt = env.get("next")
            self.assertTrue(nxt, "`more` is true but there is no `next` (page %d)"
                            % len(responses))
        self.fail("more than %d pages" % max_pages)

    def assertEachOnce(self, ids_seen, expected_ids, how):
        counts = {}
        for i in ids_seen:
            counts[i] = counts.get(i, 0) + 1
        lost = [i for i in expected_ids if counts.get(i, 0) == 0]
        repeated = [i for i in expected_ids if counts.get(i, 0) > 1]
        if lost or repeated:
            self.fail("%s: %d of %d objects lost, %d repeated"
                      % (how, len(lost), len(expected_ids), len(repeated)))

    # ------------------------------------------------------ discovery, roots
    def test_01_discovery_with_taxii2client(self):
        """Discovery and API root readable by taxii2-client's Server/ApiRoot (field names, trailing slashes)."""
        server = Server(CONFIG.discovery_url, user=CONFIG.user, password=CONFIG.password)
        self.assertTrue(server.title, "discovery has no title")
        self.assertTrue(server.api_roots, "discovery lists no API roots")
        root = ApiRoot(CTX.api_root, user=CONFIG.user, password=CONFIG.password)
        self.assertIn(TAXII_21, [_norm_media(v) for v in root.versions],
                      "API root `versions` does not list %s" % TAXII_21)
        self.assertTrue(root.max_content_length, "API root has no max_content_length")
        ids = [c.id for c in root.collections]
        self.assertIn(CONFIG.write_collection, ids, "write collection not listed")
        coll = [c for c in root.collections if c.id == CONFIG.write_collection][0]
        self.assertTrue(coll.can_read and coll.can_write,
                        "write collection: can_read=%s can_write=%s" % (coll.can_read, coll.can_write))

    # ------------------------------------------------------------- Accept
    def test_02_accept_taxii21(self):
        """Accept `application/taxii+json;version=2.1` (taxii2-client) answered 200 with the TAXII 2.1 Content-Type."""
        self.accept_check("application/taxii+json;version=2.1")

    def test_03_accept_without_version(self):
        """Accept `application/taxii+json` without version means the latest (2.1), must not be 406."""
        self.accept_check("application/taxii+json")

    def test_04_accept_space_before_parameter(self):
        """Accept `application/taxii+json; version=2.1` (space after `;`, RFC 9110 OWS) accepted."""
        self.accept_check("application/taxii+json; version=2.1")

    def test_05_accept_quoted_version(self):
        """Accept `application/taxii+json;version="2.1"` (quoted-string parameter value, RFC 9110) accepted."""
        self.accept_check('application/taxii+json;version="2.1"')

    def test_06_accept_wildcard(self):
        """Accept `*/*` (curl, browsers, many HTTP libraries) answered with TAXII 2.1, not 406."""
        self.accept_check("*/*")

    def test_07_accept_list_with_q_values(self):
        """Accept list with q-values (`application/json;q=0.5, application/taxii+json;version=2.1;q=0.9, */*;q=0.1`) accepted."""
        self.accept_check(
            "application/json;q=0.5, application/taxii+json;version=2.1;q=0.9, */*;q=0.1")

    def test_08_accept_taxii20_refused(self):
        """Accept `application/taxii+json;version=2.0` alone is refused with 406 (not silently answered as 2.1 or 500)."""
        self.accept_check("application/taxii+json;version=2.0", expect=406)

    # ------------------------------------------------------------- POST
    def test_10_post_wrong_content_type(self):
        """POST with `Content-Type: application/json` is refused with 415 Unsupported Media Type (TAXII 2.1 section 3.2)."""
        obj = CTX.indicator(0, tag="wrong-ct")
        r = CTX.post_envelope([obj], content_type="application/json")
        self.assertEqual(r.status_code, 415, "HTTP %s: %s" % (r.status_code, r.text[:200]))

    def test_11_post_202_and_status_counts(self):
        """POST of 25 objects in one request: 202, TAXII Content-Type, status resource with total_count/success_count matching."""
        b = CTX.batch
        r = b["post_response"]
        self.assertEqual(r.status_code, 202)
        self.assertTaxiiContentType(r)
        st = r.json()
        for k in ("id", "status", "total_count", "success_count", "failure_count", "pending_count"):
            self.assertIn(k, st, "status resource lacks `%s`" % k)
        self.assertEqual(st["total_count"], BATCH_SIZE, "total_count")
        final = b["status"]
        self.assertEqual(final["status"], "complete")
        self.assertEqual(final["success_count"], BATCH_SIZE, "success_count")
        self.assertEqual(final.get("failure_count", 0), 0, "failure_count")
        self.assertEqual(final["total_count"],
                         final["success_count"] + final["failure_count"] + final["pending_count"],
                         "total_count != success + failure + pending")
        r = CTX.get("%sstatus/%s/" % (CTX.api_root, st["id"]))
        self.assertEqual(r.status_code, 200, "GET status/{id}/ -> HTTP %s" % r.status_code)
        self.assertTaxiiContentType(r)

    # ------------------------------------------------------------- paging
    def test_20_next_paging_raw(self):
        """Paging with limit=2 by following `next` (raw HTTP): every object of a 25-object POST (one date_added) exactly once."""
        ids = CTX.batch_ids
        objs, resps = self.page_raw({"limit": "2"})
        self.assertGreater(len(resps), 1, "limit=2 did not paginate")
        for r in resps:
            self.assertLessEqual(len(r.json().get("objects", [])), 2, "page larger than limit")
        self.assertEachOnce([o["id"] for o in objs], ids, "limit=2 over `next`")
        versions = [(o["id"], o.get("modified")) for o in objs]
        self.assertEqual(len(versions), len(set(versions)), "an object version came twice")

    def test_21_next_paging_taxii2client(self):
        """Paging with taxii2-client's `as_pages(get_objects, per_request=2)`: each object exactly once."""
        ids = CTX.batch_ids
        coll = Collection(CTX.collection_url(), user=CONFIG.user, password=CONFIG.password)
        seen, pages = [], 0
        for env in as_pages(coll.get_objects, per_request=2):
            pages += 1
            seen.extend(o["id"] for o in env.get("objects", []))
            if pages > MAX_PAGES:
                self.fail("more than %d pages" % MAX_PAGES)
        self.assertGreater(pages, 1, "did not paginate")
        self.assertEachOnce(seen, ids, "as_pages")

    def test_22_next_keeps_filters(self):
        """A `next` link keeps the filters: match[type]=indicator&limit=2 followed by `next` (same filter) gives only indicators, all of them."""
        ids = CTX.batch_ids
        objs, resps = self.page_raw({"match[type]": "indicator", "limit": "2"})
        bad = sorted({o.get("type") for o in objs if o.get("type") != "indicator"})
        self.assertFalse(bad, "non-indicator objects returned: %s" % bad)
        self.assertEachOnce([o["id"] for o in objs], ids, "match[type] + next")

    @strict
    def test_23_next_with_other_filters_refused(self):
        """(strict) `next` sent with other filters, or without the original ones, is refused with 400 instead of silently returning other data."""
        CTX.batch
        url = CTX.objects_url()
        first = {"match[type]": "indicator", "limit": "2"}
        for label, probe in (("match[type]=identity", {"match[type]": "identity", "limit": "2"}),
                             ("no filter", {"limit": "2"})):
            r = CTX.get(url, params=first)
            self.assertEqual(r.status_code, 200)
            env = r.json()
            self.assertTrue(env.get("more") and env.get("next"), "no `next` on the first page")
            p = dict(probe, next=env["next"])
            r2 = CTX.get(url, params=p)
            self.assertEqual(r2.status_code, 400, "`next` of a match[type]=indicator request sent with %s -> HTTP %s (%d objects)"
                             % (label, r2.status_code, len(r2.json().get("objects", [])) if r2.status_code == 200 else 0))

    def _added_after_paging(self, url, key):
        """Page with limit=2 and added_after = last X-TAXII-Date-Added-Last,
        ignoring `next`. Returns (ids seen, whether any response had `next`)."""
        ids = CTX.batch_ids
        r = CTX.get(CTX.collection_url() + "manifest/", params={"match[id]": ",".join(ids)})
        self.assertEqual(r.status_code, 200, "manifest?match[id] -> HTTP %s" % r.status_code)
        added = [parse_rfc3339(m["date_added"]) for m in r.json().get("objects", [])]
        self.assertTrue(added, "manifest lists none of the posted objects")
        after = fmt_rfc3339(min(added) - dt.timedelta(microseconds=1))
        seen, had_next = [], False
        for _ in range(MAX_PAGES):
            r = CTX.get(url, params={"added_after": after, "limit": "2"})
            self.assertEqual(r.status_code, 200, "GET added_after=%s -> HTTP %s: %s"
                             % (after, r.status_code, r.text[:200]))
            env = r.json()
            items = env.get(key, [])
            had_next = had_next or bool(env.get("next"))
            seen.extend(o["id"] for o in items)
            if not items or not env.get("more"):
                break
            last = r.headers.get("X-TAXII-Date-Added-Last")
            self.assertTrue(last, "page without X-TAXII-Date-Added-Last")
            if last == after:
                self.fail("X-TAXII-Date-Added-Last equals added_after: no progress")
            after = last
        return seen, had_next

    def _added_after_verdict(self, seen, had_next, what):
        ids = CTX.batch_ids
        lost = [i for i in ids if i not in seen]
        repeated = [i for i in ids if seen.count(i) > 1]
        if not lost and not repeated:
            return
        msg = ("%s: %d of %d objects sharing one date_added lost, %d repeated, when "
               "added_after = previous X-TAXII-Date-Added-Last" % (what, len(lost), len(ids), len(repeated)))
        if had_next and not CONFIG.strict:
            self.skipTest(msg + "; the server offered `next`, which TAXII 2.1 section 3.4 "
                          "tells clients to use first (TAXII_STRICT=1 makes this a failure)")
        self.fail(msg + ("" if had_next else "; the server gave no `next`, so this is the "
                         "only paging TAXII 2.1 section 3.4 leaves the client"))

    def test_24_added_after_paging_objects(self):
        """added_after paging on objects: with the last X-TAXII-Date-Added-Last as next added_after, no object repeated or lost when 25 share a timestamp."""
        seen, had_next = self._added_after_paging(CTX.objects_url(), "objects")
        self._added_after_verdict(seen, had_next, "objects")

    def test_25_added_after_paging_manifest(self):
        """added_after paging on the manifest (its resource has no `next` in TAXII 2.1): no record repeated or lost when 25 share a timestamp."""
        seen, had_next = self._added_after_paging(CTX.collection_url() + "manifest/", "objects")
        self._added_after_verdict(seen, had_next, "manifest")

    def test_26_date_added_headers_rfc3339(self):
        """X-TAXII-Date-Added-First/-Last are RFC 3339 (`T`, `Z` or offset), parseable, First <= Last, on objects and manifest."""
        CTX.batch
        for url in (CTX.objects_url(), CTX.collection_url() + "manifest/"):
            r = CTX.get(url, params={"limit": "2"})
            self.assertEqual(r.status_code, 200)
            first = r.headers.get("X-TAXII-Date-Added-First")
            last = r.headers.get("X-TAXII-Date-Added-Last")
            self.assertTrue(first and last, "%s: headers missing (First=%r, Last=%r)" % (url, first, last))
            for name, v in (("First", first), ("Last", last)):
                self.assertRegex(v, RFC3339, "X-TAXII-Date-Added-%s %r is not RFC 3339" % (name, v))
                parse_rfc3339(v)
                if CONFIG.strict:
                    self.assertRegex(v, r"\.\d{3,}Z$",
                                     "(strict) X-TAXII-Date-Added-%s %r: UTC `Z` with at least milliseconds" % (name, v))
            self.assertLessEqual(parse_rfc3339(first), parse_rfc3339(last), "First after Last")
            # the manifest's date_added values are RFC 3339 too
            if url.endswith("manifest/"):
                for m in r.json().get("objects", []):
                    self.assertRegex(m.get("date_added", ""), RFC3339, "manifest date_added %r" % m.get("date_added"))

    # -------------------------------------------------------- TLP round trip
    def test_30_tlp2_marking_round_trip(self):
        """An object marked TLP:AMBER+STRICT (TLP 2.0 id) comes back unchanged by match[id], objects/{id}, versions and manifest."""
        obj = CTX.indicator(0, markings=[TLP2_AMBER_STRICT], tag="tlp2")
        coll = Collection(CTX.collection_url(), user=CONFIG.user, password=CONFIG.password)
        status = coll.add_objects({"objects": [obj]}, wait_for_completion=True, poll_interval=0.5, timeout=60)
        self.assertEqual(status.status, "complete", "taxii2-client status %s" % status.status)
        self.assertEqual(status.success_count, 1, "success_count")

        env = coll.get_objects(id=obj["id"])  # match[id]
        got = env.get("objects", [])
        self.assertEqual(len(got), 1, "match[id] returned %d objects" % len(got))
        self.assertEqual(got[0].get("object_marking_refs"), [TLP2_AMBER_STRICT], "marking changed")
        self.assertEqual(got[0], obj, "object changed in the round trip")

        env = coll.get_object(obj["id"])
        self.assertEqual([o["id"] for o in env.get("objects", [])], [obj["id"]], "objects/{id}")

        r = CTX.get(CTX.objects_url() + obj["id"] + "/versions/")
        self.assertEqual(r.status_code, 200, "versions -> HTTP %s" % r.status_code)
        self.assertTaxiiContentType(r)
        versions = r.json().get("versions", [])
        self.assertEqual([parse_rfc3339(v) for v in versions], [parse_rfc3339(obj["modified"])],
                         "versions %r, expected [%r]" % (versions, obj["modified"]))

        man = coll.get_manifest(id=obj["id"]).get("objects", [])
        self.assertEqual(len(man), 1, "manifest?match[id] returned %d records" % len(man))
        rec = man[0]
        for k in ("id", "date_added", "version", "media_type"):
            self.assertIn(k, rec, "manifest record lacks `%s`" % k)
        self.assertEqual(rec["id"], obj["id"])
        self.assertRegex(rec["date_added"], RFC3339, "date_added %r" % rec["date_added"])
        self.assertEqual(parse_rfc3339(rec["version"]), parse_rfc3339(obj["modified"]), "manifest version")
        self.assertEqual(_norm_media(rec["media_type"]), STIX_21, "manifest media_type")

    # -------------------------------------------------------------- isolation
    def test_40_isolation_other_organisation(self):
        """A TLP:RED object of one organisation is invisible to a user of another: collections, match[id], objects/{id}, manifest, versions."""
        if not CONFIG.other_user:
            self.skipTest("TAXII_OTHER_USER not set")
        red = CTX.indicator(0, markings=[TLP2_RED], tag="red")
        r = CTX.post_envelope([red], coll=CONFIG.red_collection)
        self.assertEqual(r.status_code, 202, "POST RED -> HTTP %s: %s" % (r.status_code, r.text[:200]))
        st = CTX.wait_status(r.json())
        self.assertEqual(st["success_count"], 1, "RED object not accepted")
        # sanity: the owner reads it
        r = CTX.get(CTX.objects_url(CONFIG.red_collection), params={"match[id]": red["id"]})
        self.assertEqual([o["id"] for o in r.json().get("objects", [])], [red["id"]],
                         "the posting user cannot read its own RED object")

        other = CTX.session(CONFIG.other_user, CONFIG.other_password)
        r = CTX.get(CTX.api_root + "collections/", session=other)
        self.assertIn(r.status_code, (200, 403, 404), "other user: collections -> HTTP %s" % r.status_code)
        colls = [c["id"] for c in r.json().get("collections", [])] if r.status_code == 200 else []
        colls = sorted(set(colls) | {CONFIG.red_collection})
        leaks = []
        for c in colls:
            base = CTX.objects_url(c)
            r = CTX.get(base, params={"match[id]": red["id"]}, session=other)
            if r.status_code == 200 and any(o.get("id") == red["id"] for o in r.json().get("objects", [])):
                leaks.append("%s objects?match[id]" % c)
            r = CTX.get(base + red["id"] + "/", session=other)
            if r.status_code == 200 and any(o.get("id") == red["id"] for o in r.json().get("objects", [])):
                leaks.append("%s objects/{id}" % c)
            elif r.status_code not in (200, 403, 404):
                leaks.append("%s objects/{id} HTTP %s" % (c, r.status_code))
            r = CTX.get(CTX.collection_url(c) + "manifest/", params={"match[id]": red["id"]}, session=other)
            if r.status_code == 200 and any(o.get("id") == red["id"] for o in r.json().get("objects", [])):
                leaks.append("%s manifest?match[id]" % c)
            r = CTX.get(base + red["id"] + "/versions/", session=other)
            if r.status_code == 200 and r.json().get("versions"):
                leaks.append("%s versions" % c)
            if CTX.get(base, params={"limit": "1"}, session=other).status_code == 200:
                objs, _ = self.page_raw({"limit": "1000"}, url=base, session=other)
                if any(o.get("id") == red["id"] for o in objs):
                    leaks.append("%s full listing" % c)
        if leaks:
            self.fail("RED object of %s visible to %s via: %s"
                      % (CONFIG.user, CONFIG.other_user, ", ".join(leaks)))

    # ------------------------------------------------------------------ auth
    def test_50_unauthenticated_401(self):
        """Requests without (or with wrong) credentials get 401 with `WWW-Authenticate: Basic ...`, not 403 or 200."""
        anon = CTX.session(auth=False)
        for url in (CONFIG.discovery_url, CTX.objects_url()):
            r = CTX.get(url, session=anon)
            self.assertEqual(r.status_code, 401, "%s without credentials -> HTTP %s" % (url, r.status_code))
            wa = r.headers.get("WWW-Authenticate", "")
            self.assertTrue(wa.lower().startswith("basic"), "WWW-Authenticate %r" % wa)
        bad = CTX.session(CONFIG.user, CONFIG.password + "-wrong")
        r = CTX.get(CONFIG.discovery_url, session=bad)
        self.assertEqual(r.status_code, 401, "wrong password -> HTTP %s" % r.status_code)
