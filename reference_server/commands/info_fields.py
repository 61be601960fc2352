"""INFO's field names, in Redis 8.2's order, with the value each shows when this server has nothing to report.

A section's builder in info.py supplies the values it can measure; every other field keeps its resting value
here (a server with no replicas, no forks, no persistence and no defragmentation reports the same).
"""
from __future__ import annotations


def _fields(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(line.strip().split("=", 1)) for line in text.strip().splitlines())  # type: ignore[misc]


SERVER = _fields("""
redis_version=8.2.3
redis_git_sha1=00000000
redis_git_dirty=0
redis_build_id=0
redis_mode=standalone
os=
arch_bits=64
monotonic_clock=POSIX clock_gettime
multiplexing_api=
atomicvar_api=c11-builtin
gcc_version=0.0.0
process_id=
process_supervised=no
run_id=
tcp_port=
server_time_usec=
uptime_in_seconds=
uptime_in_days=
hz=
configured_hz=
lru_clock=
executable=
config_file=
io_threads_active=0
listener0=
forkdiff_version=0.1.0
forkdiff_runtime=
""")

CLIENTS = _fields("""
connected_clients=0
cluster_connections=0
maxclients=
client_recent_max_input_buffer=0
client_recent_max_output_buffer=0
blocked_clients=0
tracking_clients=0
pubsub_clients=0
watching_clients=0
clients_in_timeout_table=0
total_watched_keys=0
total_blocking_keys=0
total_blocking_keys_on_nokey=0
""")

MEMORY = _fields("""
used_memory=
used_memory_human=
used_memory_rss=
used_memory_rss_human=
used_memory_peak=
used_memory_peak_human=
used_memory_peak_time=
used_memory_peak_perc=100.00%
used_memory_overhead=0
used_memory_startup=0
used_memory_dataset=0
used_memory_dataset_perc=0.00%
allocator_allocated=0
allocator_active=0
allocator_resident=0
allocator_muzzy=0
total_system_memory=
total_system_memory_human=
used_memory_lua=0
used_memory_vm_eval=0
used_memory_lua_human=0B
used_memory_scripts_eval=0
number_of_cached_scripts=0
number_of_functions=0
number_of_libraries=0
used_memory_vm_functions=0
used_memory_vm_total=0
used_memory_vm_total_human=0B
used_memory_functions=0
used_memory_scripts=0
used_memory_scripts_human=0B
maxmemory=
maxmemory_human=
maxmemory_policy=
allocator_frag_ratio=1.00
allocator_frag_bytes=0
allocator_rss_ratio=1.00
allocator_rss_bytes=0
rss_overhead_ratio=1.00
rss_overhead_bytes=0
mem_fragmentation_ratio=1.00
mem_fragmentation_bytes=0
mem_not_counted_for_evict=0
mem_replication_backlog=0
mem_total_replication_buffers=0
mem_replica_full_sync_buffer=0
mem_clients_slaves=0
mem_clients_normal=0
mem_cluster_links=0
mem_aof_buffer=0
mem_allocator=libc
mem_overhead_db_hashtable_rehashing=0
active_defrag_running=0
lazyfree_pending_objects=0
lazyfreed_objects=0
""")

PERSISTENCE = _fields("""
loading=0
async_loading=0
current_cow_peak=0
current_cow_size=0
current_cow_size_age=0
current_fork_perc=0.00
current_save_keys_processed=0
current_save_keys_total=0
rdb_changes_since_last_save=0
rdb_bgsave_in_progress=0
rdb_last_save_time=
rdb_last_bgsave_status=ok
rdb_last_bgsave_time_sec=-1
rdb_current_bgsave_time_sec=-1
rdb_saves=0
rdb_last_cow_size=0
rdb_last_load_keys_expired=0
rdb_last_load_keys_loaded=0
aof_enabled=0
aof_rewrite_in_progress=0
aof_rewrite_scheduled=0
aof_last_rewrite_time_sec=-1
aof_current_rewrite_time_sec=-1
aof_last_bgrewrite_status=ok
aof_rewrites=0
aof_rewrites_consecutive_failures=0
aof_last_write_status=ok
aof_last_cow_size=0
module_fork_in_progress=0
module_fork_last_cow_size=0
""")

STATS = _fields("""
total_connections_received=0
total_commands_processed=0
instantaneous_ops_per_sec=0
total_net_input_bytes=0
total_net_output_bytes=0
total_net_repl_input_bytes=0
total_net_repl_output_bytes=0
instantaneous_input_kbps=0.00
instantaneous_output_kbps=0.00
instantaneous_input_repl_kbps=0.00
instantaneous_output_repl_kbps=0.00
rejected_connections=0
sync_full=0
sync_partial_ok=0
sync_partial_err=0
expired_subkeys=0
expired_keys=0
expired_stale_perc=0.00
expired_time_cap_reached_count=0
expire_cycle_cpu_milliseconds=0
evicted_keys=0
evicted_clients=0
evicted_scripts=0
total_eviction_exceeded_time=0
current_eviction_exceeded_time=0
keyspace_hits=0
keyspace_misses=0
pubsub_channels=0
pubsub_patterns=0
pubsubshard_channels=0
latest_fork_usec=0
total_forks=0
migrate_cached_sockets=0
slave_expires_tracked_keys=0
active_defrag_hits=0
active_defrag_misses=0
active_defrag_key_hits=0
active_defrag_key_misses=0
total_active_defrag_time=0
current_active_defrag_time=0
tracking_total_keys=0
tracking_total_items=0
tracking_total_prefixes=0
unexpected_error_replies=0
total_error_replies=0
dump_payload_sanitizations=0
total_reads_processed=0
total_writes_processed=0
io_threaded_reads_processed=0
io_threaded_writes_processed=0
io_threaded_total_prefetch_batches=0
io_threaded_total_prefetch_entries=0
client_query_buffer_limit_disconnections=0
client_output_buffer_limit_disconnections=0
reply_buffer_shrinks=0
reply_buffer_expands=0
eventloop_cycles=0
eventloop_duration_sum=0
eventloop_duration_cmd_sum=0
instantaneous_eventloop_cycles_per_sec=0
instantaneous_eventloop_duration_usec=0
acl_access_denied_auth=0
acl_access_denied_cmd=0
acl_access_denied_key=0
acl_access_denied_channel=0
""")

REPLICATION = _fields("""
role=master
connected_slaves=0
master_failover_state=no-failover
master_replid=
master_replid2=0000000000000000000000000000000000000000
master_repl_offset=0
second_repl_offset=-1
repl_backlog_active=0
repl_backlog_size=1048576
repl_backlog_first_byte_offset=0
repl_backlog_histlen=0
""")

CPU = _fields("""
used_cpu_sys=
used_cpu_user=
used_cpu_sys_children=
used_cpu_user_children=
used_cpu_sys_main_thread=
used_cpu_user_main_thread=
""")

CLUSTER = _fields("""
cluster_enabled=0
""")

# The sections a bare INFO (or "default") shows, and those "all" / "everything" add, in Redis's order.
ORDER = ("server", "clients", "memory", "persistence", "threads", "stats", "replication", "cpu", "modules",
         "commandstats", "errorstats", "latencystats", "cluster", "keyspace", "keysizes")
NOT_DEFAULT = frozenset({"commandstats", "latencystats"})
