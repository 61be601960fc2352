"""The reference server: a Redis 8.2 command engine wrapped in interchangeable concurrency runtimes."""
