"""Redis's RDB value serialization, as DUMP produces and RESTORE reads it: one value, then the RDB version and a
CRC64 of everything before it. Each type is written in the encoding the value class reports (OBJECT ENCODING), so
the bytes match what Redis writes for the same history."""
