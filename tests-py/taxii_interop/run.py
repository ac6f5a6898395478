"""Runner of the TAXII 2.1 interoperability suite.

    cd tests-py && python -m taxii_interop
    python tests-py/taxii_interop/run.py

prints one line per check (ok / FAIL / skipped with the reason), then the
failure details; exits 1 on any failure or error, 2 when not configured.
"""

import os
import sys
import time
import traceback
import unittest

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "taxii_interop"

from taxii_interop.config import CONFIG, USAGE  # noqa: E402


class SummaryResult(unittest.TestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.rows = []
        self._t0 = None

    def startTest(self, test):
        super().startTest(test)
        self._t0 = time.time()

    def _row(self, test, verdict, detail=""):
        doc = (test._testMethodDoc or "").strip().splitlines()[0] if test._testMethodDoc else ""
        name = test._testMethodName
        secs = time.time() - (self._t0 or time.time())
        self.rows.append((verdict, name, doc, detail, secs))
        line = "%-7s %-42s %5.1fs  %s" % (verdict, name, secs, doc)
        if detail and verdict == "skipped":
            line += "\n        -> %s" % detail
        print(line, flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._row(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._row(test, "FAIL", str(err[1]))

    def addError(self, test, err):
        super().addError(test, err)
        self._row(test, "FAIL", "".join(traceback.format_exception_only(err[0], err[1])).strip())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._row(test, "skipped", reason)


def main(argv=None):
    if CONFIG.missing:
        sys.stderr.write("missing: %s\n\n%s" % (", ".join(CONFIG.missing), USAGE))
        return 2
    from taxii_interop import checks

    print("TAXII 2.1 interop suite against %s (user %s, collection %s, strict=%s, other user=%s)"
          % (CONFIG.discovery_url, CONFIG.user, CONFIG.write_collection,
             CONFIG.strict, CONFIG.other_user or "-"))
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(checks.TaxiiInterop)
    result = SummaryResult()
    suite.run(result)
    ok = sum(1 for r in result.rows if r[0] == "ok")
    failed = [r for r in result.rows if r[0] == "FAIL"]
    skipped = sum(1 for r in result.rows if r[0] == "skipped")
    if failed:
        print("\nFailures:")
        for _, name, doc, detail, _ in failed:
            print("- %s: %s\n    %s" % (name, doc, detail.replace("\n", "\n    ")))
    print("\n%d ok, %d failed, %d skipped" % (ok, len(failed), skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
