# lit configuration for Privet: each test file holds its input and its CHECK lines.
import os
import lit.formats

config.name = "privet"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".privet", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.privet_obj_root, "tests", "lit")

config.environment["NO_COLOR"] = "1"
config.environment["PATH"] = os.pathsep.join(
    [config.privet_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
for var in ["ASAN_OPTIONS", "UBSAN_OPTIONS", "HOME"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%privet", os.path.join(config.privet_tools_dir, "privet")))
config.substitutions.append(("%stdlib", os.path.join(config.privet_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.privet_src_root, "examples")))
# The SARIF 2.1.0 schema from the SARIF Multitool's npm package (tests/tools/package.json, installed
# by scripts/setup.sh). Nothing outside the repository is read.
config.substitutions.append(("%sarif_schema", os.path.join(
    config.privet_src_root, "tests", "tools", "node_modules", "@microsoft",
    "sarif-multitool-linux", "sarif-2.1.0.json")))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%cxxflags", config.cxxflags))
config.substitutions.append(("%cxx", config.cxx))
config.substitutions.append(("%srcroot", config.privet_src_root))

if config.sanitized:
    config.available_features.add("sanitized")

# clang-format 14 is the formatter the tree is checked against (other versions differ).
clang_format = "/usr/bin/clang-format-14"
if os.path.exists(clang_format):
    config.available_features.add("clang-format")
    config.substitutions.append(("%clang_format", clang_format))
