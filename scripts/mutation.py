"""Mutation testing (mutmut) of the code that guards users, one area at a time.

    python scripts/mutation.py AREA [AREA ...]     (bash scripts/mutation.sh AREA sets up first)

Each area names the functions that guard users and the fast tests that should catch a change to them. The run
copies the working tree to a scratch folder, mutates only those functions (one small change at a time:
operators, constants, conditions, removed calls), runs the area's tests against each mutant, and prints the
score: mutants the tests caught / all mutants. Surviving mutants are printed with their diffs; the equivalent
ones (no behaviour a user could notice changes) are listed with the reason in the README.

PostgreSQL, where an area's tests need it, is started once here and shared by all the pytest runs of the area
(tests/pg.py, $SKINLENS_TEST_PG_PORT). Hypothesis runs its derandomized "mutation" profile, so a score can be
re-run. Jobs: $MUTATION_JOBS (default 1: the machine is shared).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Area:
    """Functions are mutmut's names: module path, then the function (``xǁClassǁmethod`` for a method)."""

    files: tuple[str, ...]
    functions: tuple[str, ...]
    tests: tuple[str, ...]
    postgres: bool = False
    extra_pytest: tuple[str, ...] = field(default=())


def _names(module: str, *functions: str) -> tuple[str, ...]:
    return tuple(f"{module}.{'xǁ' + f.replace('.', 'ǁ') if '.' in f else 'x_' + f}__mutmut_*" for f in functions)


AREAS = {
    "recommend": Area(
        files=("desktop/recommend/engine.py", "desktop/recommend/steps.py", "desktop/recommend/select.py",
               "desktop/recommend/index.py", "desktop/catalog/knowledge.py"),
        functions=(*_names("desktop.recommend.engine", "Recommender.recommend", "hard_filter", "avoid_mask"),
                   *_names("desktop.recommend.steps", "_step_mask"),  # (mutmut leaves properties alone)
                   *_names("desktop.recommend.select", "choose_picks", "_distinct", "alternatives"),
                   *_names("desktop.recommend.index", "build_index", "_form_columns_and_flags", "_rinsed_off",
                           "_facts"),
                   *_names("desktop.catalog.knowledge", "KnowledgeBase.is_fragrance", "KnowledgeBase.not_vegan",
                           "_Family.hits")),
        tests=("tests/unit/test_recommend_guards.py", "tests/unit/test_recommend_properties.py",
               "tests/unit/test_store_and_recommend.py", "tests/unit/test_forms_and_cost.py",
               "tests/unit/test_unknown_concerns.py", "tests/unit/test_routine_demo_catalog.py",
               "tests/unit/test_recommend_routine.py", "tests/unit/test_recommend_index.py"),
        # the CLI's own test runs a subprocess (3.4 s, most of the area's test time) that mutmut cannot trace
        extra_pytest=("--deselect", "tests/unit/test_store_and_recommend.py::test_recommend_cli_json_shape")),
    "imaging": Area(
        files=("desktop/ml/imaging.py",),
        functions=_names("desktop.ml.imaging", "_to_rgb", "_open", "_decode_error", "load_image"),
        tests=("tests/unit/test_imaging.py", "tests/unit/test_imaging_errors.py"),
        extra_pytest=("-W", "ignore::UserWarning")),
    "sync_client": Area(  # apply and verify; the HTTP feed (SyncClient.pull) is tested against a live server
        files=("desktop/sync/apply.py", "desktop/catalog/store.py"),
        functions=(*_names("desktop.sync.apply", "signed_state", "check_not_older", "promote"),
                   *_names("desktop.catalog.store", "CatalogStore.stage_sync_page", "CatalogStore.apply_sync",
                           "CatalogStore._synced_digest", "_columns")),
        tests=("tests/unit/test_sync_apply.py",)),
    "server": Area(
        files=("sync_server/changes.py", "sync_server/auth.py", "sync_server/gate.py", "sync_server/api/deps.py"),
        functions=(*_names("sync_server.changes", "bump_sequence", "affiliate_url", "product_values"),
                   *_names("sync_server.auth", "hash_token", "create_device_token", "revoke_device_token",
                           "admin_token_valid", "TokenBook.known", "TokenBook.reload",
                           "TokenBook.look_up"),
                   *_names("sync_server.gate", "_bearer", "Gate._authenticate"),
                   *_names("sync_server.api.deps", "require_device", "require_admin")),
        tests=("tests/integration/test_server.py", "tests/integration/test_server_auth.py",
               "tests/integration/test_server_hardening.py::test_wrong_tokens_are_rate_limited_without_a_lookup_each",
               "tests/integration/test_sync.py::test_every_writing_transaction_gets_its_own_sequence_number",
               "tests/integration/test_sync.py::test_sequence_numbers_become_visible_in_commit_order"),
        postgres=True),
    "consent": Area(
        files=("desktop/ui/consent.py", "desktop/session.py"),
        functions=(*_names("desktop.ui.consent", "ConsentGate.given", "ConsentGate.allows", "ConsentGate.accept"),
                   *_names("desktop.session", "Session.reset")),
        tests=("tests/gui/test_consent.py", "tests/gui/test_session.py")),
}
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def scratch_copy(area: str) -> Path:
    """The working tree's tracked files (as they are on disk) in a fresh folder."""
    root = Path(os.environ.get("SKINLENS_MUTATION_DIR", Path(tempfile.gettempdir()) / "skinlens-mutation")) / area
    shutil.rmtree(root, ignore_errors=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    return root


def configure(root: Path, area: Area) -> None:
    config = {
        "source_paths": ["desktop", "catalog_format", "sync_server"],
        "only_mutate": list(area.files),
        "also_copy": ["resources", "bench"],  # bench: the recommender's evaluation, which a test loads
        "pytest_add_cli_args_test_selection": list(area.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "--hypothesis-profile=mutation",
                                *area.extra_pytest],
        "process_isolation": "forkserver",  # Qt, onnxruntime and psycopg threads: never fork a process using them
    }
    lines = ["", "[tool.mutmut]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in config.items()]
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def results(root: Path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run([str(BIN / "mutmut"), "results", "--all", "true"], cwd=root, env=env, capture_output=True,
                         text=True, check=True).stdout
    return dict(re.findall(r"^\s+(\S+): (.+)$", out, flags=re.MULTILINE))


def run_area(name: str, area: Area) -> dict[str, object]:
    root = scratch_copy(name)
    configure(root, area)
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", QT_QPA_PLATFORM="offscreen")
    pg: list[str] = []
    if area.postgres:
        pg = subprocess.run([sys.executable, "-m", "tests.pg", "start"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.split()
        env["SKINLENS_TEST_PG_PORT"] = pg[0]
    try:
        jobs = os.environ.get("MUTATION_JOBS", "1")
        log = root / "mutmut.log"
        with log.open("w") as out:
            code = subprocess.run([str(BIN / "mutmut"), "run", "--max-children", jobs, *area.functions], cwd=root,
                                  env=env, stdout=out, stderr=subprocess.STDOUT).returncode
        if code != 0:
            sys.exit(f"mutmut failed on {name} (exit {code}); see {log}")
        status = {k: v for k, v in results(root, env).items() if any(fnmatch.fnmatch(k, f) for f in area.functions)}
    finally:
        if pg:
            subprocess.run([sys.executable, "-m", "tests.pg", "stop", pg[1], pg[0]], cwd=REPO, check=False)
    survivors = sorted(k for k, v in status.items() if v not in KILLED)
    report = root / "survivors.txt"
    with report.open("w") as f:
        for mutant in survivors:
            diff = subprocess.run([str(BIN / "mutmut"), "show", mutant], cwd=root, env=env, capture_output=True,
                                  text=True).stdout
            f.write(diff + "\n")
    killed = sum(v in KILLED for v in status.values())
    return {"area": name, "mutants": len(status), "killed": killed, "survived": len(survivors),
            "score": round(100 * killed / max(1, len(status)), 1), "survivors": str(report)}


def main(argv: list[str]) -> None:
    names = list(AREAS) if argv in ([], ["all"]) else argv
    unknown = [n for n in names if n not in AREAS]
    if unknown:
        sys.exit(f"unknown area {unknown}; areas: {', '.join(AREAS)} (or all)")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                           text=True).stdout
    print(f"mutation testing at {commit.strip()}{' + uncommitted changes' if dirty.strip() else ''}", flush=True)
    for name in names:
        summary = run_area(name, AREAS[name])
        print(f"{name}: {summary['score']} % ({summary['killed']} of {summary['mutants']} mutants killed; "
              f"survivors with diffs: {summary['survivors']})", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
