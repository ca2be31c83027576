"""Print what `pip-audit --format json` found: each vulnerability, and how much was audited.

pip-audit asks PyPI's JSON API about each installed version; where that API does not
answer (a registry proxy that serves only the package index), every package is skipped
and plain pip-audit still says "No known vulnerabilities found". The count of packages
not audited is printed so a skip is never read as a pass. Exit 1 on any vulnerability.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report:
        dependencies = json.load(report)["dependencies"]
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    found = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    for dependency, vuln in found:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
        name, version = dependency["name"], dependency["version"]
        print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in {fixed})")
    audited = len(dependencies) - len(skipped)
    total = len(dependencies)
    print(f"pip-audit: {audited} of {total} packages audited, {len(found)} known vulnerabilities")
    if skipped:
        print(
            f"pip-audit: WARNING: {len(skipped)} packages NOT audited (the vulnerability service "
            f"had no answer for them), e.g. {', '.join(skipped[:5])}"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
