// Package interop proves that what tally writes reads back, cell for cell,
// in readers tally did not write: DuckDB (through duckdb-go, which needs
// cgo, hence this module of its own) for Parquet, CSV and Hive-partitioned
// datasets, and the JavaScript libraries hyparquet (Parquet) and
// apache-arrow (Arrow IPC) run under Node (js/, installed with npm ci).
//
// The reference for every comparison is tally's own Arrow IPC file of the
// same table, read with the Arrow library tally writes with: what tally
// meant to write. The tests need a C compiler, Node 20 and npm; .ci/run
// provides them.
package interop
