"""tests/checks.py: the named checks of the Python test scripts: each check counts as passed or is
printed as a failure with its detail, and finish() prints the "N passed, N failed" line meson's log
and CI read and returns the exit status."""

_failures = []
_passed = 0


def check(name, cond, detail=""):
    global _passed
    if cond:
        _passed += 1
    else:
        _failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


def finish():
    print(f"{_passed} passed, {len(_failures)} failed")
    return 1 if _failures else 0
