// Package pipeline knows elections. It reads a spec (spec.go), maps the
// columns of each table a source yields to roles (mapping.go, roles.go),
// reads numbers as commissions print them (number.go), resolves option
// names to the spec's parties (names.go), decides each row's reporting
// unit, its level and its parent (units.go), checks the results, allocates
// seats through electoral, and builds the canonical tables (tables.go) for
// the sinks.
//
// It does not know file formats (sources does: encodings, delimiters,
// sheets, where a table's header is), how tables are written (sinks), or
// seat arithmetic (electoral).
//
// # Nothing is lost
//
// Every data row a source yields is used (its figures end in the results
// and units tables, or, for a reference source, in the comparisons) or
// rejected with its raw cells and a reason; SourceStats counts both, and
// Run fails if they do not add up to the rows read.
//
// # Checks
//
// Per unit, as soon as its rows are read: protocol identities
// (identities.go: the built-in ones and those a spec declares over its own
// protocol lines), declared shares against the votes with the tolerance
// the printed decimals imply, signs, and an option twice in one unit.
//
// Across units, once every source is read (hierarchy.go, reference.go):
// duplicate units, units under two parents, units with no figures, every
// parent against the sum of its children at any depth, total rows against
// their table, and reference sources against the data; each difference is
// located to the children that carry it where the data allows. A ledger
// of known discrepancies (ledger.go) then marks the findings a team has
// accepted.
//
// # Memory
//
// Rows stream through in batches; what outlives a batch is per unit, never
// per row. The contest totals keep a few numbers per level and option. The
// cross-unit checks keep each unit as a record of plain bytes (about 80
// for a polling station with a dozen options: its id, parent, figures and
// votes as variable-length integers), in memory up to spillBytes (16 MB)
// per contest and past that in a temporary file, and read them back in
// order or sorted by an external merge sort; their memory is bounded
// whatever the number of units (see unitstore.go). A transposed table (a
// column per unit) is held one office at a time.
//
// # Speed
//
// One goroutine reads and checks the rows of a source, in order; flushed
// units go in chunks to a second that builds the output rows (rowbuild.go)
// into dictionary-encoded batches (tables.go), whose fixed-width buffers
// come from a pool and return to it when every sink has released the
// batch (bufpool.go). A result names its option by a pointer to the run's
// one entry of it (optref.go), numbered, so that sums and records index
// slices; a unit listing the same options in the same cells as the last
// copies their output cells. Unit records are sorted by id in the
// background as they spill, and the seats and cross-unit checks run while
// the last rows are written. BENCHMARKS.md has the measurements.
//
// # Errors
//
// Run returns an error only when the run cannot go on: an input that
// cannot be read (report.ErrInput), a spec that does not fit the data
// (report.ErrUsage), or an output that cannot be written. Problems in the
// data are findings, never errors.
package pipeline
