"""Run the Python test files of one folder and print one closing line.

    python3 tests/lib/run.py tests/integration [-k pattern]

Every tests/<folder>/test_*.py is a unittest module.  A test that needs a
tool the machine lacks (aws cli, terraform, redis-cli, ...) raises
unittest.SkipTest naming what is missing, so a skip is always visible.
The last line is `<folder>: N passed, N failed, N skipped`.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class Result(unittest.TextTestResult):
    def startTest(self, test):
        self._t0 = time.monotonic()
        super().startTest(test)


def main(argv):
    if len(argv) < 2:
        print("usage: run.py FOLDER [-k PATTERN]", file=sys.stderr)
        return 2
    folder = argv[1]
    pattern = None
    if len(argv) >= 4 and argv[2] == "-k":
        pattern = argv[3]
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = ["*%s*" % pattern]
    suite = loader.discover(folder, pattern="test_*.py", top_level_dir=folder)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=Result, stream=sys.stdout)
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    for test, reason in result.skipped:
        print("SKIPPED %s: %s" % (test.id(), reason))
    name = os.path.basename(os.path.normpath(folder))
    print("%s: %d passed, %d failed, %d skipped" % (name, passed, failed, skipped))
    if result.testsRun == 0:
        print("%s: no test ran" % name)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
