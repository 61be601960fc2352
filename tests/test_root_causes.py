"""Root causes: failing cases and fuzz findings folded by their normalised difference (messages as the conformance
plugin writes them)."""
from __future__ import annotations

from pathlib import Path

from results import root_causes as rc
from results.signature import of_message, plain

SANITIZE = ("AssertionError: assert 'user u off r...hannels -@all' == 'user u off s...hannels -@all'\n  \n"
            "  - user u off sanitize-payload resetchannels -@all\n  ?           -----------------\n"
            "  + user u off resetchannels -@all")
GETUSER = ("AssertionError: \nexpected: 1) flags\n2) 1) off\n   2) sanitize-payload  [array]\n"
           "     got: 1) flags\n2) 1) off  [array]  raw=b'*2\\r\\n$5\\r\\nflags\\r\\n*1\\r\\n$3\\r\\noff\\r\\n'")
NO_VSIM = ("AssertionError: \nexpected error: 'ERR syntax error in VSIM command'\n     got error: \"ERR unknown command "
           "'VSIM', with args beginning with: 'k' 'ELE' 'a' \"")
NO_VADD = "AssertionError: expected +OK, got (error) ERR unknown command 'VADD', with args beginning with: 'k'  [error]"
SHA_1 = ("conformance.asserts.ErrorTextMismatch: \nexpected error: 'ERR x script: a8325ab498c94f38b1b3e86862697a313b6dbe35, "
         "on @user_script:1.'\n     got error: 'ERR x script: on @user_script:1.'")
SHA_2 = ("conformance.asserts.ErrorTextMismatch: \nexpected error: 'ERR nil script: aca90d914519fdb9825352bdc0befb59f7c"
         "8510f, on @user_script:1.'\n     got error: 'ERR nil script: on @user_script:1.'")


def row(target: str, case: str, command: str, message: str, resp: int = 2, group: str = "server") -> dict:
    product, version = ("valkey", "9.1.2") if target == "valkey@9.1" else ("valkey", "8.1.8")
    return {"target": target, "product": product, "version": version, "resp": resp, "group": group,
            "command": command, "case": case, "outcome": "divergent", "class": "semantic", "message": message}


def build(rows: list[dict], fuzz: list[dict] = (), tmp: Path | None = None) -> list[rc.RootCause]:
    return rc.build(rows, list(fuzz), curated_path=tmp or Path("/nonexistent"), known=[])


def test_one_difference_in_several_commands_and_protocols_is_one_root_cause():
    causes = build([row("valkey@9.1", "test_acl_setuser_rules", "acl|setuser", SANITIZE),
                    row("valkey@9.1", "test_acl_setuser_rules", "acl|setuser", SANITIZE, resp=3),
                    row("valkey@9.1", "test_acl_getuser_flags", "acl|getuser", GETUSER)])
    assert len(causes) == 1
    cause = causes[0]
    assert cause.commands == ("acl|getuser", "acl|setuser") and cause.targets == {"valkey@9.1": 2}
    assert "sanitize-payload" in cause.title and cause.cls == "value"


def test_versions_of_one_product_share_a_root_cause_and_its_id_is_stable():
    rows = [row("valkey@9.1", "test_vsim_errors", "vsim", NO_VSIM, group="module"),
            row("valkey@8.1", "test_vadd_basics", "vadd", NO_VADD, group="module")]
    first, again = build(rows), build(list(reversed(rows)))
    assert len(first) == 1 and first[0].targets == {"valkey@8.1": 1, "valkey@9.1": 1}
    assert first[0].id == again[0].id == rc.stable_id("valkey", "missing|module")
    assert "vector sets" in first[0].title.lower() and "VADD" in first[0].title and "VSIM" in first[0].title


def test_the_same_wording_change_in_different_messages_is_one_root_cause():
    causes = build([row("valkey@9.1", "test_eval_error_a", "eval", SHA_1, group="scripting"),
                    row("valkey@9.1", "test_eval_error_b", "eval", SHA_2, group="scripting")])
    assert len(causes) == 1 and causes[0].cls == "error_text"


def test_curated_titles_and_merges_apply(tmp_path):
    curated = tmp_path / "root_causes.toml"
    sha = rc.stable_id("valkey", of_message(SHA_1, "eval", "scripting").signature)
    acl = rc.stable_id("valkey", of_message(SANITIZE, "acl|setuser", "server").signature)
    curated.write_text(f'[[root_cause]]\nid = "{sha}"\ntitle = "Script errors leave out the SHA1"\n'
                       f'merge = ["{acl}"]\n')
    causes = build([row("valkey@9.1", "a", "eval", SHA_1), row("valkey@9.1", "b", "acl|setuser", SANITIZE)],
                   tmp=curated)
    assert [(c.id, c.title, len(c.cases)) for c in causes] == [(sha, "Script errors leave out the SHA1", 2)]


def test_fuzz_findings_that_never_came_back_or_blame_nobody_are_not_listed():
    base = {"command": "get", "class": "value", "target": "valkey@9.1", "versions": {"valkey@9.1": "valkey 9.1.2"},
            "program": {"resp": 2, "steps": [["GET", "k"]]}, "traces": {}}
    kept = {**base, "id": "a", "verdict": "target", "reruns": 5, "reproduced": 2}
    noise = {**base, "id": "b", "verdict": "target", "reruns": 5, "reproduced": 0}
    split = {**base, "id": "c", "verdict": "ecosystem_split", "reruns": 5, "reproduced": 5}
    assert [e["id"] for e in rc.listed_findings([kept, noise, split])] == ["a"]


def test_stored_messages_lose_terminal_escapes():
    assert plain("\x1b[31mAssertionError\x1b[0m: \x1b[1mexpected\x1b[0m") == "AssertionError: expected"


def test_a_recorded_case_prints_a_runnable_repro():
    failing = row("valkey@9.1", "test_bitcount_errors", "bitcount",
                  "AssertionError: expected an error, got (integer) 7  [integer]  raw=b':7\\r\\n'")
    failing["steps"] = [{"command": "FLUSHALL", "reply": "+OK\r\n"}, {"command": "SET k abc", "reply": "+OK\r\n"},
                        {"command": "BITCOUNT k 1", "reply": ":7\r\n"}]
    repro = build([failing])[0].repro
    assert repro[1:6] == ("redis-cli -p $PORT <<'EOF'", "FLUSHALL", "SET k abc", "BITCOUNT k 1", "EOF")
    assert repro[-1] == "#   valkey@9.1: ':7\\r\\n'"


NO_HELLO = ("AssertionError: \nexpected error: 'NOPROTO unsupported protocol version'\n     got error: \"ERR unknown "
            "command 'HELLO', with args beginning with: '4' \"")


def test_a_command_the_target_lists_is_not_missing_there():
    rows = [row("valkey@9.1", "test_hello_bad_version", "hello", NO_HELLO, group="connection")]
    missing = rc.build(rows, [], curated_path=Path("/nonexistent"), known=[])
    listed = rc.build(rows, [], curated_path=Path("/nonexistent"), known=[], listed={"valkey@9.1": ["HELLO", "get"]})
    assert missing[0].signature.startswith("missing|") and "not implemented" in missing[0].title
    assert listed[0].signature.startswith("error_code|") and "not implemented" not in listed[0].title
