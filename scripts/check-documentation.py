#!/usr/bin/env python3
"""Fails when a public declaration of the library modules has no `///` documentation.

Reads the symbol graphs of `swift package dump-symbol-graph --minimum-access-level public`
(run by `make docs-check`) and counts the public and open declarations that are written in this
package's Sources/ and carry no doc comment. Declarations without a source location are the
compiler's (synthesised conformances, inherited defaults) and are not counted.

Usage: check-documentation.py SYMBOLGRAPH_DIR [MODULE ...]
"""
import glob
import json
import os
import sys

MODULES = ["KVTable", "Analytics", "KVTableDynamoDB", "KVTableRemote", "KVTableServer"]
SOURCES = "file://" + os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Sources") + "/"


def undocumented(directory, module):
    found = []
    paths = glob.glob(os.path.join(directory, f"{module}.symbols.json")) + \
        glob.glob(os.path.join(directory, f"{module}@*.symbols.json"))
    if not paths:
        sys.exit(f"check-documentation: no symbol graph for {module} in {directory}")
    for path in paths:
        for symbol in json.load(open(path))["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open") or symbol.get("docComment"):
                continue
            location = symbol.get("location")
            # Only this package's own declarations (not a dependency's extension members).
            if not location or not location["uri"].startswith(SOURCES):
                continue
            file = location["uri"][len(SOURCES):]
            line = location["position"]["line"] + 1
            found.append(f"Sources/{file}:{line}: {symbol['kind']['displayName'].lower()} "
                         f"{'.'.join(symbol['pathComponents'])}")
    return sorted(set(found))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    modules = sys.argv[2:] or MODULES
    total = 0
    for module in modules:
        missing = undocumented(directory, module)
        total += len(missing)
        for line in missing:
            print(line)
        sys.stdout.flush()
        print(f"{module}: {len(missing)} undocumented public declarations", file=sys.stderr)
    if total:
        sys.exit(f"check-documentation: {total} public declarations have no /// documentation")
    print("check-documentation: every public declaration is documented", file=sys.stderr)


main()
