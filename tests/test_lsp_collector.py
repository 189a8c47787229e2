"""The language server's garbage-collection policy: full collections between checks."""

import subprocess
import sys
import textwrap

from conftest import ROOT

# Run in a child: `install()` changes the interpreter's collector for good.
CHILD = textwrap.dedent("""
    import asyncio, gc, weakref
    from nasdsl.lsp import collector

    collector.install()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] >= 1 << 30

    class Node:
        pass

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    async def main():
        idle = collector.IdleCollector(delay=0.05)
        gc.disable()  # only the idle collector may free the cycle in this test
        first = cycle()
        idle.idle()
        idle.busy()  # a check started: the collection is put off
        await asyncio.sleep(0.1)
        assert idle.collections == 0 and first() is not None
        idle.idle()
        await asyncio.sleep(0.1)
        assert idle.collections == 1 and first() is None
        print("ok")

    asyncio.run(main())
""")


def test_full_collections_wait_for_a_quiet_moment_and_still_free_cycles():
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
