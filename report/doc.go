// Package report holds what every stage of tally needs to say where and
// what: cell positions, findings (problems the data shows), rejects (rows
// that could not be used) and positioned errors.
//
// It is a leaf package with no dependencies beyond the standard library, so
// sources, pipeline, sinks and the command line can all share it without
// import cycles.
//
// Three things are kept apart:
//
//   - A Finding says the data is wrong (votes do not sum, a share does not
//     match). The run goes on; the command line turns findings at or above
//     the --fail-on level into exit code 1.
//   - A Reject is an input row that could not be used, with its raw cells and
//     the reason. It never stops the read.
//   - An error stops the run (unreadable file, invalid spec). Errors that
//     concern a place in an input are *PositionError values.
//
// A Recorder collects the findings and rejects of a run in bounded
// memory: compactly encoded, and past a few megabytes sorted and spilled
// as runs to a temporary file (in TMPDIR, unlinked at once where the
// system allows), read back in order by a merge.
//
// Finding codes are a public contract: they are listed in codes.go, each
// with a one-line description, and are never renamed.
package report
