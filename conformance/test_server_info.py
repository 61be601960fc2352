"""INFO: section headers, field names and their order exactly as Redis 8.2 prints them; counted values exactly;
values that differ by nature (pid, port, memory, CPU time, run id) by presence and format.

The reply is a bulk string in RESP2 and a verbatim string of format 'txt' in RESP3.
"""
from __future__ import annotations

import re

import pytest

from forkdiff.types import Kind, Reply

from .asserts import assert_ok

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Threads", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace", "Keysizes"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Threads", "Stats", "Replication", "CPU", "Modules",
                "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace", "Keysizes"]
REFERENCE_ONLY_FIELDS = {"forkdiff_version", "forkdiff_runtime"}  # the reference names itself and its runtime

FIELD_NAMES = {
    "server": """redis_version redis_git_sha1 redis_git_dirty redis_build_id redis_mode os arch_bits monotonic_clock
        multiplexing_api atomicvar_api gcc_version process_id process_supervised run_id tcp_port server_time_usec
        uptime_in_seconds uptime_in_days hz configured_hz lru_clock executable config_file io_threads_active
        listener0""",
    "clients": """connected_clients cluster_connections maxclients client_recent_max_input_buffer
        client_recent_max_output_buffer blocked_clients tracking_clients pubsub_clients watching_clients
        clients_in_timeout_table total_watched_keys total_blocking_keys total_blocking_keys_on_nokey""",
    "memory": """used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak
        used_memory_peak_human used_memory_peak_time used_memory_peak_perc used_memory_overhead used_memory_startup
        used_memory_dataset used_memory_dataset_perc allocator_allocated allocator_active allocator_resident
        allocator_muzzy total_system_memory total_system_memory_human used_memory_lua used_memory_vm_eval
        used_memory_lua_human used_memory_scripts_eval number_of_cached_scripts number_of_functions
        number_of_libraries used_memory_vm_functions used_memory_vm_total used_memory_vm_total_human
        used_memory_functions used_memory_scripts used_memory_scripts_human maxmemory maxmemory_human
        maxmemory_policy allocator_frag_ratio allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes
        rss_overhead_ratio rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes
        mem_not_counted_for_evict mem_replication_backlog mem_total_replication_buffers mem_replica_full_sync_buffer
        mem_clients_slaves mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator
        mem_overhead_db_hashtable_rehashing active_defrag_running lazyfree_pending_objects lazyfreed_objects""",
    "persistence": """loading async_loading current_cow_peak current_cow_size current_cow_size_age current_fork_perc
        current_save_keys_processed current_save_keys_total rdb_changes_since_last_save rdb_bgsave_in_progress
        rdb_last_save_time rdb_last_bgsave_status rdb_last_bgsave_time_sec rdb_current_bgsave_time_sec rdb_saves
        rdb_last_cow_size rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled aof_rewrite_in_progress
        aof_rewrite_scheduled aof_last_rewrite_time_sec aof_current_rewrite_time_sec aof_last_bgrewrite_status
        aof_rewrites aof_rewrites_consecutive_failures aof_last_write_status aof_last_cow_size
        module_fork_in_progress module_fork_last_cow_size""",
    "stats": """total_connections_received total_commands_processed instantaneous_ops_per_sec total_net_input_bytes
        total_net_output_bytes total_net_repl_input_bytes total_net_repl_output_bytes instantaneous_input_kbps
        instantaneous_output_kbps instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections
        sync_full sync_partial_ok sync_partial_err expired_subkeys expired_keys expired_stale_perc
        expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients evicted_scripts
        total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses pubsub_channels
        pubsub_patterns pubsubshard_channels latest_fork_usec total_forks migrate_cached_sockets
        slave_expires_tracked_keys active_defrag_hits active_defrag_misses active_defrag_key_hits
        active_defrag_key_misses total_active_defrag_time current_active_defrag_time tracking_total_keys
        tracking_total_items tracking_total_prefixes unexpected_error_replies total_error_replies
        dump_payload_sanitizations total_reads_processed total_writes_processed io_threaded_reads_processed
        io_threaded_writes_processed io_threaded_total_prefetch_batches io_threaded_total_prefetch_entries
        client_query_buffer_limit_disconnections client_output_buffer_limit_disconnections reply_buffer_shrinks
        reply_buffer_expands eventloop_cycles eventloop_duration_sum eventloop_duration_cmd_sum
        instantaneous_eventloop_cycles_per_sec instantaneous_eventloop_duration_usec acl_access_denied_auth
        acl_access_denied_cmd acl_access_denied_key acl_access_denied_channel""",
    "replication": """role connected_slaves master_failover_state master_replid master_replid2 master_repl_offset
        second_repl_offset repl_backlog_active repl_backlog_size repl_backlog_first_byte_offset
        repl_backlog_histlen""",
    "cpu": """used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children used_cpu_sys_main_thread
        used_cpu_user_main_thread""",
    "cluster": "cluster_enabled",
}
HUMAN_BYTES = r"\d+B|\d+\.\d\d[KMGTP]"
STAT_LINE = r"calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+"


def info_text(reply: Reply, resp: int) -> str:
    if resp == 3:
        assert reply.kind is Kind.VERBATIM and reply.value[0] == "txt", f"expected verbatim txt, got {reply}"
        return reply.value[1].decode()
    assert reply.kind is Kind.BULK, f"expected a bulk string, got {reply}"
    return reply.value.decode()


def info(conn, *sections: str) -> str:
    return info_text(conn.call("INFO", *sections), conn.resp)


def headers(text: str) -> list[str]:
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


def fields(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in text.split("\r\n") if line and not line.startswith("#"))


def cmdstats(conn) -> dict[str, dict[str, str]]:
    return {name.removeprefix("cmdstat_"): dict(kv.split("=") for kv in value.split(","))
            for name, value in fields(info(conn, "commandstats")).items()}


# -- sections ------------------------------------------------------------------------------------------------------
def test_info_default_sections(conn):
    assert headers(info(conn)) == DEFAULT_SECTIONS
    assert headers(info(conn, "default")) == DEFAULT_SECTIONS


# INFO with several sections came with Redis 7.0.
SEVERAL_SECTIONS = pytest.mark.since("7.0")


@pytest.mark.parametrize("args", [["all"], ["everything"], ["ALL"], *(
    pytest.param(args, marks=SEVERAL_SECTIONS)
    for args in (["default", "commandstats", "latencystats"], ["everything", "nosuch"], ["commandstats", "all"]))])
def test_info_all_sections(conn, args):
    assert headers(info(conn, *args)) == ALL_SECTIONS


@SEVERAL_SECTIONS
def test_info_sections_come_in_redis_order_once(conn):
    assert headers(info(conn, "cluster", "SERVER", "server", "clients")) == ["Server", "Clients", "Cluster"]


@SEVERAL_SECTIONS
def test_info_default_plus_a_section(conn):
    assert headers(info(conn, "default", "commandstats")) == DEFAULT_SECTIONS[:9] + ["Commandstats"] + \
        DEFAULT_SECTIONS[9:]


@pytest.mark.parametrize("section", ["nosuch", "cmdstat", "serverx"])
def test_info_unknown_section_is_empty(conn, section):
    assert info(conn, section) == ""


@SEVERAL_SECTIONS
def test_info_sections_are_separated_by_a_blank_line(conn):
    text = info(conn, "clients", "cluster")
    assert text.endswith("\r\n# Cluster\r\ncluster_enabled:0\r\n")
    assert "\r\n\r\n# Cluster" in text and not text.endswith("\r\n\r\n")


@pytest.mark.parametrize("section", sorted(FIELD_NAMES))
def test_info_field_names_and_order(conn, section):
    names = [n for n in fields(info(conn, section)) if n not in REFERENCE_ONLY_FIELDS]
    assert names == FIELD_NAMES[section].split()


# -- values --------------------------------------------------------------------------------------------------------
def test_info_server_values(conn, target):
    server = fields(info(conn, "server"))
    # The version number differs by nature from one server to the next: only its shape is Redis's behaviour.
    assert re.fullmatch(r"\d+\.\d+\.\d+", server["redis_version"]) and server["redis_mode"] == "standalone"
    assert server["tcp_port"] == str(target.address[1])
    assert server["listener0"] == f"name=tcp,bind=127.0.0.1,port={target.address[1]}"
    assert re.fullmatch(r"[0-9a-f]{40}", server["run_id"])
    for name in ("process_id", "server_time_usec", "uptime_in_seconds", "uptime_in_days", "lru_clock"):
        assert server[name].isdigit(), name
    assert server["hz"] == server["configured_hz"] == "10"


def test_info_server_forkdiff_version_only_on_the_reference(conn, target):
    server = fields(info(conn, "server"))
    if target.capabilities.product == "reference":
        assert server["forkdiff_version"] == "0.1.0"
    else:
        assert "forkdiff_version" not in server


def test_info_clients_counts(conn, connect_client):
    before = int(fields(info(conn, "clients"))["connected_clients"])
    connect_client().call("PING")  # answered: the server has registered the connection
    conn.call("WATCH", "a", "b")
    clients = fields(info(conn, "clients"))
    assert int(clients["connected_clients"]) == before + 1
    assert (clients["watching_clients"], clients["total_watched_keys"]) == ("1", "2")
    assert (clients["blocked_clients"], clients["maxclients"]) == ("0", "10000")


def test_info_memory_formats(conn):
    memory = fields(info(conn, "memory"))
    for name in ("used_memory", "used_memory_rss", "used_memory_peak", "total_system_memory"):
        assert memory[name].isdigit() and re.fullmatch(HUMAN_BYTES, memory[name + "_human"]), name
    assert re.fullmatch(r"\d+\.\d\d%", memory["used_memory_peak_perc"])
    assert (memory["maxmemory"], memory["maxmemory_human"], memory["maxmemory_policy"]) == ("0", "0B", "noeviction")


def test_info_memory_follows_config(conn):
    # One parameter per CONFIG SET: the case is about INFO, not about setting several at once (Redis 7.0).
    try:
        assert_ok(conn.call("CONFIG", "SET", "maxmemory", "1mb"))
        assert_ok(conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"))
        memory = fields(info(conn, "memory"))
    finally:
        conn.call("CONFIG", "SET", "maxmemory", "0")
        conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
    assert (memory["maxmemory"], memory["maxmemory_human"], memory["maxmemory_policy"]) == \
        ("1048576", "1.00M", "allkeys-lru")


def test_info_persistence_values(conn):
    persistence = fields(info(conn, "persistence"))
    assert persistence["rdb_last_save_time"] == str(conn.call("LASTSAVE").value)
    assert (persistence["loading"], persistence["aof_enabled"], persistence["rdb_bgsave_in_progress"]) == \
        ("0", "0", "0")
    assert persistence["rdb_changes_since_last_save"].isdigit()


def test_info_stats_after_resetstat(conn):
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    conn.call("GET")
    stats = fields(info(conn, "stats"))
    assert (stats["total_commands_processed"], stats["total_error_replies"]) == ("1", "1")
    assert stats["total_connections_received"] == "0"


def test_info_threads_format(conn):
    assert re.fullmatch(r"clients=\d+,reads=\d+,writes=\d+", fields(info(conn, "threads"))["io_thread_0"])


def test_info_replication_values(conn):
    # a fresh master: the isolation restarts a target whose replication history a case shifted
    replication = fields(info(conn, "replication"))
    assert (replication["role"], replication["connected_slaves"], replication["second_repl_offset"]) == \
        ("master", "0", "-1")
    assert re.fullmatch(r"[0-9a-f]{40}", replication["master_replid"])
    assert replication["master_replid2"] == "0" * 40


def test_info_cpu_format(conn):
    assert all(re.fullmatch(r"\d+\.\d{6}", v) for v in fields(info(conn, "cpu")).values())


def test_info_cluster_exact(conn):
    assert info(conn, "cluster") == "# Cluster\r\ncluster_enabled:0\r\n"


def test_info_commandstats_counts_calls_rejections_and_failures(conn):
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    conn.call("SET", "a", "x")
    conn.call("GET")
    conn.call("INCR", "a")
    stats = cmdstats(conn)
    assert set(stats) == {"config|resetstat", "set", "get", "incr"}
    assert all(re.fullmatch(STAT_LINE, ",".join(f"{k}={v}" for k, v in s.items())) for s in stats.values())
    assert (stats["set"]["calls"], stats["set"]["failed_calls"]) == ("1", "0")
    assert (stats["get"]["calls"], stats["get"]["rejected_calls"]) == ("0", "1")
    assert (stats["incr"]["calls"], stats["incr"]["failed_calls"]) == ("1", "1")


def test_info_commandstats_counts_queued_commands_when_executed(conn):
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    conn.call("MULTI")
    conn.call("SET", "a", "x")
    conn.call("INCR", "a")
    conn.call("EXEC")
    stats = cmdstats(conn)
    assert {name: s["calls"] for name, s in stats.items()} == \
        {"config|resetstat": "1", "multi": "1", "set": "1", "incr": "1", "exec": "1"}
    assert stats["incr"]["failed_calls"] == "1"


def test_info_errorstats_by_code(conn):
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    conn.call("SET", "a", "x")
    conn.call("GET")
    conn.call("INCR", "a")
    conn.call("SADD", "a", "m")
    conn.call("NOSUCHCOMMAND")
    assert info(conn, "errorstats") == "# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=1\r\n"


def test_info_errorstats_empty_after_resetstat(conn):
    conn.call("GET")
    assert_ok(conn.call("CONFIG", "RESETSTAT"))
    assert info(conn, "errorstats") == "# Errorstats\r\n"


def test_info_keyspace_exact(conn):
    assert info(conn, "keyspace") == "# Keyspace\r\n"
    conn.call("SET", "k", "v")
    conn.call("SELECT", "2")
    conn.call("MSET", "a", "1", "b", "2")
    assert info(conn, "keyspace") == ("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0,subexpiry=0\r\n"
                                      "db2:keys=2,expires=0,avg_ttl=0,subexpiry=0\r\n")


def test_info_keyspace_with_expiries(conn):
    conn.call("SET", "k", "v", "EX", "100")
    conn.call("SET", "j", "v")
    line = fields(info(conn, "keyspace"))["db0"]
    assert re.fullmatch(r"keys=2,expires=1,avg_ttl=\d+,subexpiry=0", line)


def test_info_keysizes_buckets(conn):
    conn.call("MSET", "empty", "", "one", "x", "three", "xxx", "long", "x" * 62)
    conn.call("SADD", "s", "1")
    conn.call("ZADD", "z", "1", "a", "2", "b", "3", "c")
    conn.call("SELECT", "2")
    conn.call("SET", "x", "1")
    assert info(conn, "keysizes") == ("# Keysizes\r\ndb0_distrib_strings_sizes:0=1,1=1,2=1,32=1\r\n"
                                      "db0_distrib_sets_items:1=1\r\ndb0_distrib_zsets_items:2=1\r\n"
                                      "db2_distrib_strings_sizes:1=1\r\n")


def test_info_keysizes_empty(conn):
    assert info(conn, "keysizes") == "# Keysizes\r\n"
