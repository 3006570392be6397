// Package sinks writes Arrow record batches to files: Parquet (zstd),
// Arrow IPC (file format) and CSV. Sinks know formats, not elections: any
// schema goes to any format.
//
// Every file is written under a temporary name in its target folder and
// renamed into place by Close, so a crash never leaves a half-written file
// under the final name; Abort removes the temporary file instead.
//
// Output is deterministic: the same batches give the same bytes whatever
// their sizes (Parquet row groups are cut at a fixed row count), and no
// wall-clock time is written.
//
// # Adding a format
//
// Write <format>.go with a constructor of the Sink interface and add one
// line to the formats table in registry.go; the package tests then run the
// round-trip suite on it.
package sinks
