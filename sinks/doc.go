// Package sinks writes Arrow record batches to files and makes releases of
// them: Parquet (zstd), Arrow IPC (file format) and CSV, one file per
// table or, partitioned, Hive-style folders of files; the datapackage.json
// that describes a release; the release folder itself (a lock, a temporary
// folder, a swap into place); and Verify, which checks a release against
// its manifest. Sinks know formats, not elections: any schema goes to any
// format, and the caller says what the tables, keys and sources are.
//
// # Writing
//
// Every file is written under a temporary name in its target folder and
// renamed into place by Close; Abort removes the temporary file instead.
// A whole release is written into the temporary folder of a Release and
// moved into place by Commit only when complete, so a crash or kill never
// leaves a half-written release (see Release).
//
// # Determinism
//
// The same batches give the same bytes whatever their sizes: Parquet row
// groups and Arrow IPC batches are cut at fixed row counts (the constants
// Parquet* and ArrowBatchRows), whether a Parquet column chunk has a
// dictionary depends only on its own rows (package pqwriter), metadata keys are written sorted, and no wall-clock time is
// written unless the caller passes one in the metadata. Every file records
// its writer settings (Settings) in its metadata.
//
// # Adding a format
//
// Write <format>.go with a constructor of the encoder interface and add a
// line to the formats table in sink.go; the round-trip, release and verify
// tests then run on it, and Verify needs a reader for it in verify.go.
package sinks
