"""python3 -m training train|bench ..."""
import os
import runpy
import sys

from .pipeline import main as train_main


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("train", "bench"):
        sys.stderr.write("usage: python3 -m training train --data FILE [...] | bench [...]\n")
        return 2
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "train":
        return train_main(rest)
    bench = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "model-quality", "run.py")
    sys.argv = [bench] + rest
    runpy.run_path(bench, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
