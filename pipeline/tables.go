package pipeline

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/sinks"
)

// TableDef is one canonical table: its name, columns and their meanings.
type TableDef struct {
	Name        string
	Description string
	Schema      *arrow.Schema
	PrimaryKey  []string
	ForeignKeys []sinks.ForeignKey
}

type col struct {
	name string
	typ  arrow.DataType
	null bool
	desc string
}

func schema(cols ...col) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		md := arrow.NewMetadata([]string{"description"}, []string{c.desc})
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: c.null, Metadata: md}
	}
	return arrow.NewSchema(fields, nil)
}

var (
	str = arrow.BinaryTypes.String
	i64 = arrow.PrimitiveTypes.Int64
	f64 = arrow.PrimitiveTypes.Float64
	bln = arrow.FixedWidthTypes.Boolean
)

// The canonical tables, in the order they are written.
var (
	ResultsTable = TableDef{
		Name:        "results",
		Description: "One row per contest, reporting unit and ballot option.",
		PrimaryKey:  []string{"election_id", "contest_id", "unit_id", "option_id"},
		ForeignKeys: []sinks.ForeignKey{{Fields: []string{"election_id", "contest_id", "unit_id"}, Table: "units", TableFields: []string{"election_id", "contest_id", "unit_id"}}},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "What is decided: a list-PR constituency or an office in a district"},
			col{"unit_id", str, false, "Stable id of the reporting unit"},
			col{"unit_level", str, false, "Level of the unit: nation, region, district, precinct or a level the spec names"},
			col{"option_id", str, false, "Canonical id of the ballot option after alias resolution"},
			col{"option_name", str, false, "Canonical display name of the option"},
			col{"option_kind", str, false, "list, candidate, against_all, blank, write_in or other"},
			col{"party_id", str, true, "Canonical party of the option; empty for none"},
			col{"votes", i64, true, "Votes for this option in this unit; null where the sheet shows none"},
			col{"share", f64, true, "Votes as a percent of the unit's valid votes"},
			col{"source_file", str, false, "File the figure came from"},
			col{"source_sheet", str, true, "Sheet the figure came from; empty for text files"},
			col{"source_row", i64, false, "1-based row of the cell in the source"},
			col{"source_column", i64, false, "1-based column of the cell in the source"},
		),
	}
	UnitsTable = TableDef{
		Name:        "units",
		Description: "One row per contest and reporting unit, with its protocol figures.",
		PrimaryKey:  []string{"election_id", "contest_id", "unit_id"},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "Contest id"},
			col{"unit_id", str, false, "Stable id of the reporting unit"},
			col{"unit_name", str, false, "Name of the unit as published"},
			col{"unit_level", str, false, "Level of the unit"},
			col{"parent_unit_id", str, true, "Unit this one belongs to; empty at the top"},
			col{"registered", i64, true, "Registered voters"},
			col{"ballots_issued", i64, true, "Ballots issued"},
			col{"ballots_cast", i64, true, "Ballots cast"},
			col{"invalid", i64, true, "Invalid ballots"},
			col{"valid", i64, true, "Valid ballots"},
			col{"turnout", f64, true, "Ballots cast as a percent of registered voters"},
			col{"source_file", str, false, "File the unit came from"},
			col{"source_sheet", str, true, "Sheet the unit came from; empty for text files"},
			col{"source_row", i64, false, "1-based row of the unit in the source (its first row in a long table)"},
		),
	}
	SeatsTable = TableDef{
		Name:        "seats",
		Description: "One row per list-PR contest and party: votes, eligibility and seats.",
		PrimaryKey:  []string{"election_id", "contest_id", "party_id"},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "Contest id"},
			col{"party_id", str, false, "Canonical party id"},
			col{"party_name", str, false, "Canonical party name"},
			col{"votes", i64, false, "Votes of the party in the contest"},
			col{"share", f64, true, "Votes as a percent of the threshold base"},
			col{"eligible", bln, false, "Whether the party passed the threshold and takes part in the allocation"},
			col{"seats", i64, false, "Seats computed by tally"},
			col{"declared_seats", i64, true, "Seats the commission declared; null where not given"},
			col{"method", str, false, "Allocation method"},
			col{"gallagher", f64, false, "Gallagher least-squares index of the contest, in percentage points"},
			col{"loosemore_hanby", f64, false, "Loosemore-Hanby index of the contest, in percentage points"},
			col{"sainte_lague_index", f64, false, "Sainte-Laguë index of the contest"},
			col{"enp_votes", f64, false, "Effective number of parties by votes in the contest"},
			col{"enp_seats", f64, false, "Effective number of parties by seats in the contest"},
		),
	}
	FindingsTable = TableDef{
		Name:        "findings",
		Description: "One row per problem found in the data.",
		Schema: schema(
			col{"severity", str, false, "error, warning or info"},
			col{"code", str, false, "Stable code of the check"},
			col{"message", str, false, "What was found"},
			col{"unit_id", str, true, "Unit concerned"},
			col{"option_id", str, true, "Option concerned"},
			col{"source_file", str, true, "File of the cell"},
			col{"source_sheet", str, true, "Sheet of the cell"},
			col{"source_row", i64, true, "1-based row of the cell"},
			col{"source_column", i64, true, "1-based column of the cell"},
			col{"expected", str, true, "Expected value"},
			col{"actual", str, true, "Value found"},
		),
	}
	RejectsTable = TableDef{
		Name:        "rejects",
		Description: "One row per input row that could not be used.",
		Schema: schema(
			col{"source_file", str, false, "File of the row"},
			col{"source_sheet", str, true, "Sheet of the row"},
			col{"source_row", i64, false, "1-based row number"},
			col{"raw", str, false, "The row's cells as read, joined with a tab"},
			col{"reason", str, false, "Why the row could not be used"},
		),
	}
)

// Tables lists the canonical tables in the order they are written.
var Tables = []TableDef{ResultsTable, UnitsTable, SeatsTable, FindingsTable, RejectsTable}

// builder appends rows to an Arrow record batch of one table.
type builder struct {
	b    *array.RecordBuilder
	rows int
}

func newBuilder(mem memory.Allocator, t TableDef) *builder {
	return &builder{b: array.NewRecordBuilder(mem, t.Schema)}
}

func (b *builder) str(i int, s string) { b.b.Field(i).(*array.StringBuilder).Append(s) }

func (b *builder) nstr(i int, s string) {
	if s == "" {
		b.b.Field(i).AppendNull()
		return
	}
	b.b.Field(i).(*array.StringBuilder).Append(s)
}

func (b *builder) i64(i int, v int64) { b.b.Field(i).(*array.Int64Builder).Append(v) }

func (b *builder) ni64(i int, v opt) {
	if !v.ok {
		b.b.Field(i).AppendNull()
		return
	}
	b.b.Field(i).(*array.Int64Builder).Append(v.v)
}

func (b *builder) nf64(i int, v float64, ok bool) {
	if !ok {
		b.b.Field(i).AppendNull()
		return
	}
	b.b.Field(i).(*array.Float64Builder).Append(v)
}

func (b *builder) bool(i int, v bool) { b.b.Field(i).(*array.BooleanBuilder).Append(v) }

// flush returns the rows built so far as a batch (nil when none); the
// caller releases it.
func (b *builder) flush() arrow.RecordBatch {
	if b.rows == 0 {
		return nil
	}
	b.rows = 0
	return b.b.NewRecordBatch()
}

func (b *builder) release() { b.b.Release() }

// opt is an optional count: a figure the sheet may not have.
type opt struct {
	v  int64
	ok bool
}

func some(v int64) opt { return opt{v, true} }
