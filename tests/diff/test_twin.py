"""The wasmtime version as a parameter of the oracle (issue 14, item 1): the
twin interface, its child protocol, the managed environments."""

from __future__ import annotations

from paths import CONTRACTS
import base64
import json
import sys

import pytest

pytest.importorskip("wasmtime")

import wasmtime  # noqa: E402

from pyde_ref.diff import twin as tw  # noqa: E402
from pyde_ref.diff import twin_env, twin_server  # noqa: E402
from pyde_ref.diff.outcome import CallOutcome  # noqa: E402

ADD = wasmtime.wat2wasm('(module (memory (export "memory") 1) '
                        '(func (export "f") (param i32 i64) (result i64) local.get 1 local.get 0 i64.extend_i32_u i64.add))')
FILL = wasmtime.wat2wasm('(module (memory (export "memory") 1) '
                         '(func (export "f") i32.const 0 i32.const 7 i32.const 1000 memory.fill))')


def test_the_installed_version_runs_in_process():
    twin = tw.get_twin(tw.DEFAULT_WASMTIME)
    assert isinstance(twin, tw.InProcessTwin)
    assert twin.version == tw.DEFAULT_WASMTIME
    assert twin.wasmtime_release == tw.WASMTIME_VERSIONS[tw.DEFAULT_WASMTIME]
    assert tw.get_twin(tw.DEFAULT_WASMTIME) is twin


def test_other_versions_run_in_a_child():
    others = [v for v in tw.WASMTIME_VERSIONS if v != tw.DEFAULT_WASMTIME]
    assert others == ["45"]
    assert isinstance(tw.get_twin("45"), tw.SubprocessTwin)


def test_unknown_version_is_refused():
    with pytest.raises(ValueError, match="unknown wasmtime version"):
        tw.get_twin("44")


def test_every_version_has_its_own_reference_model():
    from pyde_ref.wasm.fuel import FUEL_MODELS

    for version in tw.WASMTIME_VERSIONS:
        assert tw.reference_fuel_model(version) == f"wasmtime-{version}"
        assert f"wasmtime-{version}" in FUEL_MODELS
    with pytest.raises(ValueError, match="no fuel model"):
        tw.reference_fuel_model("44")


# --------------------------------------------------------------------------
# The child protocol (twin_server), spoken in-process
# --------------------------------------------------------------------------


def _serve(*requests) -> list[dict]:
    replies = []
    twin_server.serve([json.dumps(r) + "\n" for r in requests], lambda text: replies.append(json.loads(text)))
    return replies


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_protocol_hello_call_exports_compile():
    hello, call, exports, accepted, rejected = _serve(
        {"id": 1, "op": "hello"},
        {"id": 2, "op": "call", "wasm": _b64(ADD), "func": "f", "args": [2, 40], "fuel": 100,
         "host": None, "instantiate_fuel": 1000},
        {"id": 3, "op": "exports", "wasm": _b64(ADD)},
        {"id": 4, "op": "compile", "wasm": _b64(ADD)},
        {"id": 5, "op": "compile", "wasm": _b64(b"\0asm\1\0\0\0\1")})
    assert hello["result"]["protocol"] == tw.PROTOCOL
    assert hello["result"]["wasmtime"] == tw.installed_wasmtime()
    outcome = CallOutcome.from_json(call["result"])
    assert (outcome.status, outcome.results) == ("ok", (42,))
    assert outcome == tw.get_twin().call(ADD, "f", [2, 40], 100, instantiate_fuel=1000)
    assert exports["result"] == [["f", ["i32", "i64"]]]
    assert accepted["result"] is None and isinstance(rejected["result"], str)
    assert [r["id"] for r in (hello, call, exports, accepted, rejected)] == [1, 2, 3, 4, 5]


def test_protocol_wave():
    document = json.loads((CONTRACTS / "genesis-wave.json").read_text())
    (reply,) = _serve({"id": 7, "op": "wave", "document": document, "base_dir": str(CONTRACTS)})
    assert reply["result"] == tw.get_twin().run_wave(document, str(CONTRACTS))


@pytest.mark.parametrize("request_,kind", [
    ({"id": 1, "op": "nope"}, "ValueError"),
    ({"id": 1, "op": "exports", "wasm": "%%%"}, "Error"),
    ({"id": 1, "op": "wave", "document": {"txs": 3}}, "WaveFormatError"),
])
def test_protocol_errors_are_replies(request_, kind):
    (reply,) = _serve(request_)
    assert reply["id"] == 1 and kind in reply["error"]["type"]


def test_protocol_bad_json_is_a_reply():
    replies = []
    twin_server.serve(["not json\n"], lambda text: replies.append(json.loads(text)))
    assert replies[0]["error"]["type"] == "JSONDecodeError"


# --------------------------------------------------------------------------
# A child process (here with this environment's own interpreter)
# --------------------------------------------------------------------------


@pytest.fixture
def child():
    twin = tw.SubprocessTwin(tw.DEFAULT_WASMTIME, python=sys.executable)
    yield twin
    twin.close()


def test_child_answers_like_the_in_process_twin(child):
    here = tw.get_twin()
    assert child.call(FILL, "f", [], 5000) == here.call(FILL, "f", [], 5000)
    assert child.function_exports(ADD) == here.function_exports(ADD)
    assert child.compile_error(ADD) is None
    assert child.describe()["wasmtime"] == here.wasmtime_release


def test_a_dead_child_is_reported_then_restarted(child):
    child.call(ADD, "f", [1, 1], 100)
    child._proc.kill()
    child._proc.wait()
    with pytest.raises(tw.TwinError) as info:
        child._exchange({"op": "hello"})
    assert info.value.kind == "crashed" and "exited with status" in info.value.message
    assert child.call(ADD, "f", [1, 2], 100).results == (3,)  # a new child


def test_a_crash_is_an_unexplained_outcome(monkeypatch):
    from pyde_ref.diff import classify as cl

    class Dead(tw.Twin):
        version, wasmtime_release = "50", "50.0.1"

        def call(self, *args, **kwargs):
            raise tw.TwinError("crashed", "wasmtime 50.0.1 child exited with status -9")

    monkeypatch.setitem(tw._TWINS, ("50", __import__("os").getpid()), Dead())
    result = cl.run_case(ADD, "f", [1, 2], 100)
    assert result.wasmtime.status == "crash" and "exited with status" in result.wasmtime.detail
    assert result.verdict.category == cl.UNEXPLAINED


# --------------------------------------------------------------------------
# Managed environments
# --------------------------------------------------------------------------


def test_environment_is_keyed_by_version_python_and_requirements(tmp_path):
    a = twin_env.environment_dir("45.0.0", tmp_path)
    assert a.parent == tmp_path / "twins"
    assert a.name.startswith(f"wasmtime-45.0.0-py{sys.version_info.major}.{sys.version_info.minor}-")
    assert twin_env.environment_dir("50.0.1", tmp_path) != a
    assert twin_env.requirements("45.0.0")[0] == "wasmtime==45.0.0"


def test_runtime_requirements_are_the_projects_pins():
    reqs = twin_env.runtime_requirements()
    assert any(r.startswith("blake3==") for r in reqs) and not any("wasmtime" in r for r in reqs)


def test_cache_directory_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("PYDE_REF_CACHE", str(tmp_path))
    assert twin_env.environment_dir("45.0.0").parent == tmp_path / "twins"


@pytest.mark.slow
def test_an_environment_that_cannot_be_built_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(twin_env, "requirements", lambda version: ("pyde-ref-no-such-package==0.0.0",))
    with pytest.raises(twin_env.TwinUnavailable, match="pip install"):
        twin_env.twin_python("0.0.0", tmp_path)
    assert not any((tmp_path / "twins").glob("wasmtime-*"))  # nothing half-built is left


def test_the_child_sees_only_the_package(tmp_path):
    """The child's path holds pyde_ref and nothing else: an installed pyde-ref's
    site-packages (with this environment's wasmtime) must not shadow the
    child's own wasmtime."""
    import pyde_ref

    holder = twin_env.child_path(tmp_path)
    assert [p.name for p in holder.iterdir()] == ["pyde_ref"]
    assert (holder / "pyde_ref").resolve() == __import__("pathlib").Path(pyde_ref.__file__).resolve().parent
    assert twin_env.child_path(tmp_path) == holder  # made once
