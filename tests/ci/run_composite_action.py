#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps locally, the way a runner does, for the test suite.

Supports what .ci/github-action/action.yml uses: `shell: bash` run steps, `env:` and `run:` with
${{ inputs.NAME }}, ${{ github.action_path }} and the github context values in GITHUB, `if:` with `inputs.NAME == ''`/`!= ''` or
always(), defaults from the action's inputs, and $GITHUB_PATH additions carried to later steps.
Anything else is refused, so the action cannot silently use a feature this runner skips.
Usage: run_composite_action.py ACTION_DIR WORKDIR NAME=VALUE...  Exits with the failing step's
status (after printing which step failed), 0 when every step passed.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

# The github context of a run of a local action (`uses: ./.ci/github-action`) in a repository
# `example/policies`: a local action has no action_repository or action_ref.
GITHUB = {
    "server_url": "https://github.com",
    "repository": "example/policies",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "action_repository": "",
    "action_ref": "",
}
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
COND = re.compile(r"^inputs\.([A-Za-z0-9_-]+)\s*(==|!=)\s*'([^']*)'$")


def main():
    action_dir, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(action_dir, "action.yml")) as f:
        action = yaml.safe_load(f)
    if action.get("runs", {}).get("using") != "composite":
        sys.exit("not a composite action")
    inputs = {}
    for name, spec in action.get("inputs", {}).items():
        if "default" in spec:
            inputs[name] = str(spec["default"])
    for arg in sys.argv[3:]:
        name, _, value = arg.partition("=")
        if name not in action.get("inputs", {}):
            sys.exit(f"the action has no input `{name}`")
        inputs[name] = value
    for name, spec in action.get("inputs", {}).items():
        if spec.get("required") and name not in inputs:
            sys.exit(f"input `{name}` is required")

    def expand(text):
        def one(m):
            expr = m.group(1)
            if expr.startswith("inputs."):
                return inputs.get(expr[len("inputs."):], "")
            if expr == "github.action_path":
                return action_dir
            if expr.startswith("github.") and expr[len("github."):] in GITHUB:
                return GITHUB[expr[len("github."):]]
            sys.exit(f"unsupported expression ${{{{ {expr} }}}}")
        return EXPR.sub(one, str(text))

    def wanted(cond):
        if cond is None or cond == "always()":
            return True
        m = COND.match(str(cond).strip())
        if not m:
            sys.exit(f"unsupported condition `{cond}`")
        equal = inputs.get(m.group(1), "") == m.group(3)
        return equal if m.group(2) == "==" else not equal

    runner_temp = tempfile.mkdtemp(prefix="runner-temp-", dir=workdir)
    github_path = os.path.join(runner_temp, "github_path")
    open(github_path, "w").close()
    path_prefix = []
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index + 1}")
        if "uses" in step:
            sys.exit(f"{name}: `uses` steps are not supported here")
        if step.get("shell") != "bash":
            sys.exit(f"{name}: a composite run step needs `shell: bash`")
        if not wanted(step.get("if")):
            print(f"skipped: {name}")
            continue
        env = dict(os.environ)
        env.update({k: expand(v) for k, v in (step.get("env") or {}).items()})
        env.update(RUNNER_TEMP=runner_temp, GITHUB_PATH=github_path, GITHUB_ACTION_PATH=action_dir)
        env["PATH"] = os.pathsep.join(path_prefix + [env.get("PATH", "")])
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c",
                               expand(step["run"])], cwd=workdir, env=env)
        with open(github_path) as f:
            path_prefix = [line.strip() for line in f if line.strip()][::-1]
        if proc.returncode != 0:
            print(f"failed: {name} (exit {proc.returncode})")
            return proc.returncode
        print(f"passed: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
