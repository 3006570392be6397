package interop

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	_ "github.com/duckdb/duckdb-go/v2"

	"tally/pipeline"
	"tally/sinks"
)

// tables are the canonical tables every release holds.
var tables = []string{"results", "units", "seats", "findings", "rejects"}

// release runs a spec into a new folder with every format and returns
// the folder; partitionBy, when given, replaces the spec's.
func release(t *testing.T, spec string, partitionBy ...string) string {
	t.Helper()
	s, err := pipeline.LoadSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(partitionBy) > 0 {
		s.Outputs.PartitionBy = partitionBy
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := pipeline.Run(context.Background(), s, pipeline.Options{OutDir: dir, Write: true, Version: "interop", Formats: []string{"parquet", "arrow", "csv"}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// column is a column's name and its type as one reader names it.
type column struct{ name, typ string }

// table is a whole table as one reader returns it: cells are nil, string,
// int64, float64 or bool.
type table struct {
	cols []column
	rows [][]any
}

// reference reads tally's Arrow IPC file of a table with arrow-go, the
// library tally writes with: the rows tally meant to write. Types are
// Arrow's names (utf8, int64, float64, bool).
func reference(t *testing.T, path string) table {
	t.Helper()
	var tb table
	tb.cols = eachReference(t, path, func(row []any) { tb.rows = append(tb.rows, row) })
	return tb
}

// referenceColumns returns the columns of tally's Arrow IPC file.
func referenceColumns(t *testing.T, path string) []column {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var cols []column
	for _, fd := range r.Schema().Fields() {
		cols = append(cols, column{fd.Name, fd.Type.String()})
	}
	return cols
}

// eachReference calls fn with every row of tally's Arrow IPC file, in
// order, without holding the table; it returns the columns.
func eachReference(t *testing.T, path string, fn func([]any)) []column {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		for row := 0; row < int(rec.NumRows()); row++ {
			cells := make([]any, rec.NumCols())
			for c := range cells {
				cells[c] = arrowCell(rec.Column(c), row)
			}
			fn(cells)
		}
	}
	return referenceColumns(t, path)
}

func arrowCell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	}
	panic(fmt.Sprintf("unexpected column type %s", a.DataType()))
}

// Each reader's name for the Arrow types tally writes.
var (
	duckTypes  = map[string]string{"utf8": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE", "bool": "BOOLEAN"}
	hyparTypes = map[string]string{"utf8": "BYTE_ARRAY/STRING", "int64": "INT64/INTEGER", "float64": "DOUBLE", "bool": "BOOLEAN"}
	arrowTypes = map[string]string{"utf8": "Utf8", "int64": "Int64", "float64": "Float64", "bool": "Bool"}
	tableTypes = map[string]string{"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}
)

// compare checks a reader's table against the reference: the same
// columns in the same order with the types the reader should see, the
// same number of rows, and every cell equal (floats to the bit). With
// emptyIsNull, an empty string and a null are the same cell (CSV cannot
// tell them apart).
func compare(t *testing.T, what string, ref, got table, types map[string]string, emptyIsNull bool) {
	t.Helper()
	c := newCellCheck(t, what, ref.cols, got.cols, types, emptyIsNull)
	if c == nil {
		return
	}
	if len(got.rows) != len(ref.rows) {
		t.Errorf("%s: %d rows, want %d", what, len(got.rows), len(ref.rows))
		return
	}
	for r := range ref.rows {
		c.row(r, ref.rows[r], got.rows[r])
	}
	c.done()
}

// cellCheck compares rows one by one and reports the first differences.
type cellCheck struct {
	t           *testing.T
	what        string
	cols        []column
	emptyIsNull bool
	bad         int
}

// newCellCheck checks the columns; nil means they differ (reported).
func newCellCheck(t *testing.T, what string, ref, got []column, types map[string]string, emptyIsNull bool) *cellCheck {
	t.Helper()
	if len(got) != len(ref) {
		t.Errorf("%s: %d columns %v, want %d %v", what, len(got), got, len(ref), ref)
		return nil
	}
	ok := true
	for i, c := range ref {
		if got[i].name != c.name || got[i].typ != types[c.typ] {
			t.Errorf("%s: column %d is %s %s, want %s %s", what, i+1, got[i].name, got[i].typ, c.name, types[c.typ])
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return &cellCheck{t: t, what: what, cols: ref, emptyIsNull: emptyIsNull}
}

func (c *cellCheck) row(r int, want, have []any) {
	c.t.Helper()
	for i := range c.cols {
		w, h := want[i], have[i]
		if c.emptyIsNull {
			if w == "" {
				w = nil
			}
			if h == "" {
				h = nil
			}
		}
		if !sameCell(w, h) {
			if c.bad < 5 {
				c.t.Errorf("%s: row %d column %s = %#v, want %#v", c.what, r+1, c.cols[i].name, h, w)
			}
			c.bad++
		}
	}
}

func (c *cellCheck) done() {
	c.t.Helper()
	if c.bad > 5 {
		c.t.Errorf("%s: %d cells differ in all", c.what, c.bad)
	}
}

func sameCell(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return a == b
}

// duck runs a query in an in-memory DuckDB and returns its result with
// DuckDB's type names.
func duck(t *testing.T, db *sql.DB, query string, args ...any) table {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var tb table
	for _, ct := range cts {
		tb.cols = append(tb.cols, column{ct.Name(), ct.DatabaseTypeName()})
	}
	for rows.Next() {
		cells := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		tb.rows = append(tb.rows, cells)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return tb
}

func openDuck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// csvColumns is DuckDB's columns={...} for a table, from the types the
// release's datapackage.json gives it: how an analyst loads tally's CSV.
func csvColumns(t *testing.T, dir, name string) string {
	t.Helper()
	d, err := sinks.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Resource(name, "csv")
	if r == nil {
		t.Fatalf("no %s-csv resource", name)
	}
	var parts []string
	for _, f := range r.Schema.Fields {
		parts = append(parts, fmt.Sprintf("'%s': '%s'", f.Name, tableTypes[f.Type]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// duckCompare runs a query and compares its rows, as they come, with the
// reference file's, so that a table of millions of rows is never held.
func duckCompare(t *testing.T, db *sql.DB, what, refPath string, emptyIsNull bool, query string, args ...any) {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var got []column
	for _, ct := range cts {
		got = append(got, column{ct.Name(), ct.DatabaseTypeName()})
	}
	c := newCellCheck(t, what, referenceColumns(t, refPath), got, duckTypes, emptyIsNull)
	if c == nil {
		return
	}
	n := 0
	eachReference(t, refPath, func(want []any) {
		if !rows.Next() {
			c.row(n, want, make([]any, len(want)))
			n++
			return
		}
		have := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range have {
			ptrs[i] = &have[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		c.row(n, want, have)
		n++
	})
	extra := 0
	for rows.Next() {
		extra++
	}
	if extra > 0 {
		t.Errorf("%s: %d rows more than the reference's %d", what, extra, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	c.done()
}

// checkDuckDB reads every Parquet and CSV table of a release with DuckDB
// and compares it with the reference.
func checkDuckDB(t *testing.T, dir string) {
	t.Helper()
	db := openDuck(t)
	for _, name := range tables {
		ref := filepath.Join(dir, name+".arrow")
		duckCompare(t, db, name+".parquet (DuckDB)", ref, false, "SELECT * FROM read_parquet(?)", filepath.Join(dir, name+".parquet"))
		q := fmt.Sprintf("SELECT * FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = %s)", csvColumns(t, dir, name))
		duckCompare(t, db, name+".csv (DuckDB)", ref, true, q, filepath.Join(dir, name+".csv"))
	}
	// The foreign key the manifest declares holds: every result's unit is
	// in units.
	var orphans int
	q := "SELECT count(*) FROM read_parquet(?) r ANTI JOIN read_parquet(?) u USING (election_id, contest_id, unit_id)"
	if err := db.QueryRow(q, filepath.Join(dir, "results.parquet"), filepath.Join(dir, "units.parquet")).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d results rows name a unit that units does not have", orphans)
	}
}

// node runs js/read.mjs on a file and returns the table it read, cells
// typed after the reference's columns.
func node(t *testing.T, format, path string, ref table) table {
	t.Helper()
	if _, err := os.Stat("js/node_modules/hyparquet"); err != nil {
		t.Fatal("the JavaScript readers are not installed: run npm ci in interop/js (.ci/run does)")
	}
	cmd := exec.Command("node", "js/read.mjs", format, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node js/read.mjs %s %s: %v\n%s", format, path, err, stderr.String())
	}
	var raw struct {
		Columns []struct{ Name, Type string }
		Rows    [][]any
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var tb table
	for _, c := range raw.Columns {
		tb.cols = append(tb.cols, column{c.Name, c.Type})
	}
	for _, row := range raw.Rows {
		cells := make([]any, len(row))
		for i, v := range row {
			cells[i] = jsCell(t, v, ref.cols[min(i, len(ref.cols)-1)].typ)
		}
		tb.rows = append(tb.rows, cells)
	}
	return tb
}

func jsCell(t *testing.T, v any, typ string) any {
	switch v := v.(type) {
	case map[string]any: // {"int": "digits"}: a BigInt
		n, err := strconv.ParseInt(v["int"].(string), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	case json.Number:
		if typ == "int64" {
			return fmt.Sprintf("a JavaScript number %s where an Int64 (BigInt) was due", v)
		}
		f, err := v.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	return v
}

// checkJS reads every Parquet table with hyparquet and every Arrow IPC
// table with apache-arrow and compares them with the reference.
func checkJS(t *testing.T, dir string) {
	t.Helper()
	for _, name := range tables {
		ref := reference(t, filepath.Join(dir, name+".arrow"))
		pq := filepath.Join(dir, name+".parquet")
		compare(t, name+".parquet (hyparquet)", ref, node(t, "parquet", pq, ref), hyparTypes, false)
		ar := filepath.Join(dir, name+".arrow")
		compare(t, name+".arrow (apache-arrow)", ref, node(t, "arrow", ar, ref), arrowTypes, false)
	}
}

func TestDemo(t *testing.T) {
	dir := release(t, "../testdata/kz-2021/pipeline.yaml")
	t.Run("duckdb", func(t *testing.T) { checkDuckDB(t, dir) })
	t.Run("js", func(t *testing.T) { checkJS(t, dir) })
}

// The edge fixture: names in several scripts with quotes and commas,
// counts near 2^53, nulls, tiny floats, a rejected row.
func TestEdgeCases(t *testing.T) {
	dir := release(t, "testdata/edge/pipeline.yaml")
	// What tally meant to write, stated outright for the cells readers
	// most often get wrong.
	units := reference(t, filepath.Join(dir, "units.arrow"))
	want := []any{"edge-2024", "national", "R-01", `Алматы, "центр"`, "region", nil, int64(9007199254740991), nil, int64(4503599627370604), int64(7), int64(4503599627370597)}
	for i, w := range want {
		if units.rows[0][i] != w {
			t.Errorf("units row 1 %s = %#v, want %#v", units.cols[i].name, units.rows[0][i], w)
		}
	}
	if units.rows[1][3] != "Ақмола 🗳 Aqmola" || units.rows[1][6] != nil || units.rows[1][11] != nil {
		t.Errorf("units row 2 = %#v", units.rows[1])
	}
	results := reference(t, filepath.Join(dir, "results.arrow"))
	if len(results.rows) != 6 || results.rows[0][8] != int64(4503599627370497) || results.rows[5][5] != "حزب الشعب" {
		t.Errorf("results = %#v", results.rows)
	}
	if rj := reference(t, filepath.Join(dir, "rejects.arrow")); len(rj.rows) != 1 || !strings.Contains(rj.rows[0][3].(string), "R-03\tОшибка") {
		t.Errorf("rejects = %#v", rj.rows)
	}
	t.Run("duckdb", func(t *testing.T) { checkDuckDB(t, dir) })
	t.Run("js", func(t *testing.T) { checkJS(t, dir) })
}

// writeSynthetic writes 4,000 precincts x 12 parties (48,000 result rows:
// two Parquet row groups, three Arrow batches) and a spec over them. The
// votes run past 2^31, or with small set below 150, so that the shares
// repeat.
func writeSynthetic(t *testing.T, small bool) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("precinct_id,district,party,votes,registered,ballots_cast,invalid\n")
	parties := []string{"Nur Otan", "Ақ жол", "Народная партия", "Auyl", "Adal", `"Quoted ""Party"""`, `"Comma, Party"`, "Жаңа", "Ұлттық", "Green", "Өрлеу", "人民党"}
	x := uint64(7)
	rnd := func(m uint64) uint64 { x = x*6364136223846793005 + 1442695040888963407; return (x >> 33) % m }
	for p := 0; p < 4000; p++ {
		votes := make([]uint64, len(parties))
		var valid uint64
		for i := range votes {
			votes[i] = rnd(3000000000) // past 2^31
			if small {
				votes[i] = rnd(150)
			}
			valid += votes[i]
		}
		inv := rnd(1000)
		for i, name := range parties {
			fmt.Fprintf(&b, "P%05d,D%02d,%s,%d,%d,%d,%d\n", p, p/100, name, votes[i], valid+inv+rnd(1000), valid+inv, inv)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "long.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `election: {id: synthetic}
contests: [{id: national, seats: 98, method: sainte-lague}]
sources:
  - path: long.csv
    layout: long
    unit_level: precinct
    columns: {unit_id: precinct_id, parent: district, option: party, votes: votes, registered: registered, ballots_cast: ballots_cast, invalid: invalid}
checks: {fail_on: never}
`
	p := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSynthetic(t *testing.T) {
	dir := release(t, writeSynthetic(t, false))
	if n := len(reference(t, filepath.Join(dir, "results.arrow")).rows); n != 48000 {
		t.Fatalf("results has %d rows, want 48000", n)
	}
	// Near-unique shares and turnout: float chunks written
	// BYTE_STREAM_SPLIT, which every reader below must decode.
	var split int
	q := "SELECT count(*) FROM parquet_metadata([?, ?]) WHERE encodings LIKE '%BYTE_STREAM_SPLIT%'"
	if err := openDuck(t).QueryRow(q, filepath.Join(dir, "results.parquet"), filepath.Join(dir, "units.parquet")).Scan(&split); err != nil {
		t.Fatal(err)
	}
	if split == 0 {
		t.Error("no column chunk is BYTE_STREAM_SPLIT")
	}
	t.Run("duckdb", func(t *testing.T) { checkDuckDB(t, dir) })
	t.Run("js", func(t *testing.T) { checkJS(t, dir) })
}

// TestSyntheticSmallCounts reads shares that repeat, which tally writes
// PLAIN and compresses with its own zstd encoder of 8-byte values.
func TestSyntheticSmallCounts(t *testing.T) {
	dir := release(t, writeSynthetic(t, true))
	var plain int
	q := "SELECT count(*) FROM parquet_metadata(?) WHERE path_in_schema = 'share' AND compression = 'ZSTD' AND encodings NOT LIKE '%BYTE_STREAM_SPLIT%' AND encodings NOT LIKE '%DICTIONARY%'"
	if err := openDuck(t).QueryRow(q, filepath.Join(dir, "results.parquet")).Scan(&plain); err != nil {
		t.Fatal(err)
	}
	if plain == 0 {
		t.Error("no share chunk is PLAIN and zstd-compressed")
	}
	t.Run("duckdb", func(t *testing.T) { checkDuckDB(t, dir) })
	t.Run("js", func(t *testing.T) { checkJS(t, dir) })
}

// sortRows orders a table's rows by the named columns, as DuckDB's ORDER
// BY does for strings (bytes) and integers; nulls last.
func sortRows(tb table, by ...string) {
	idx := make([]int, len(by))
	for i, name := range by {
		for c, col := range tb.cols {
			if col.name == name {
				idx[i] = c
			}
		}
	}
	sort.SliceStable(tb.rows, func(a, b int) bool {
		for _, c := range idx {
			if d := cmpCell(tb.rows[a][c], tb.rows[b][c]); d != 0 {
				return d < 0
			}
		}
		return false
	})
}

func cmpCell(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	switch x := x.(type) {
	case string:
		return strings.Compare(x, y.(string))
	case int64:
		return cmp.Compare(x, y.(int64))
	}
	panic(fmt.Sprintf("cannot order %T", x))
}

// A partitioned release reads as one dataset: DuckDB with
// hive_partitioning gives back every row and column of the unpartitioned
// table (the partition columns from the folder names).
func TestPartitioned(t *testing.T) {
	spec := writeSynthetic(t, false)
	flat := release(t, spec)
	dir := release(t, spec, "election_id", "unit_level")
	db := openDuck(t)
	for _, c := range []struct {
		table, hive string
		key         []string
	}{
		{"results", "{'election_id': VARCHAR, 'unit_level': VARCHAR}", []string{"election_id", "contest_id", "unit_id", "option_id"}},
		{"units", "{'election_id': VARCHAR, 'unit_level': VARCHAR}", []string{"election_id", "contest_id", "unit_id"}},
		{"seats", "{'election_id': VARCHAR}", []string{"election_id", "contest_id", "party_id"}},
	} {
		ref := reference(t, filepath.Join(flat, c.table+".arrow"))
		sortRows(ref, c.key...)
		cols := make([]string, len(ref.cols))
		for i, col := range ref.cols {
			cols[i] = col.name
		}
		order := strings.Join(c.key, ", ")
		q := fmt.Sprintf("SELECT %s FROM read_parquet(?, hive_partitioning = true, hive_types = %s) ORDER BY %s", strings.Join(cols, ", "), c.hive, order)
		glob := filepath.Join(dir, c.table, "**", "*.parquet")
		compare(t, c.table+" partitioned Parquet (DuckDB)", ref, duck(t, db, q, glob), duckTypes, false)
	}
	// The files themselves hold no partition column.
	got := duck(t, db, "SELECT * FROM read_parquet(?, hive_partitioning = false) LIMIT 1", filepath.Join(dir, "results", "election_id=synthetic", "unit_level=precinct", "part-0.parquet"))
	for _, col := range got.cols {
		if col.name == "election_id" || col.name == "unit_level" {
			t.Errorf("partition file holds column %s", col.name)
		}
	}
	// tally verify's checks pass on it.
	probs, _, err := sinks.Verify(context.Background(), dir)
	if err != nil || len(probs) > 0 {
		t.Errorf("verify: %v %v", err, probs)
	}
}

// The Russia 2021 polling-station file (1.35 million result rows), when
// the shared data folder is there: DuckDB reads every table in full.
func TestRussia2021(t *testing.T) {
	if _, err := os.Stat("../../shared/data/real/russia/2021.csv.zip"); err != nil {
		t.Skip("the shared data folder (../shared/data/real) is absent")
	}
	if testing.Short() {
		t.Skip("a 12-second run")
	}
	dir := release(t, "../testdata/real/russia-2021.yaml")
	checkDuckDB(t, dir)
}

// Partition values that paths give a meaning to (quotes, a comma, a
// slash-free but %-escaped name) come back from DuckDB as they were.
func TestPartitionEscapes(t *testing.T) {
	dir := t.TempDir()
	name := `protocol "2024", v1%.csv`
	b, err := os.ReadFile("testdata/edge/protocol.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	spec, _ := os.ReadFile("testdata/edge/pipeline.yaml")
	s := strings.Replace(string(spec), "path: protocol.csv", "path: '"+name+"'", 1)
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	flat := release(t, filepath.Join(dir, "pipeline.yaml"))
	parts := release(t, filepath.Join(dir, "pipeline.yaml"), "source_file")
	if _, err := os.Stat(filepath.Join(parts, "results", "source_file=protocol %222024%22, v1%25.csv", "part-0.parquet")); err != nil {
		t.Errorf("partition folder: %v", err)
	}
	db := openDuck(t)
	for _, c := range []struct {
		table string
		key   []string
	}{
		{"results", []string{"election_id", "contest_id", "unit_id", "option_id"}},
		{"rejects", []string{"source_file", "source_row"}},
	} {
		ref := reference(t, filepath.Join(flat, c.table+".arrow"))
		sortRows(ref, c.key...)
		cols := make([]string, len(ref.cols))
		for i, col := range ref.cols {
			cols[i] = col.name
		}
		q := fmt.Sprintf("SELECT %s FROM read_parquet(?, hive_partitioning = true, hive_types = {'source_file': VARCHAR}) ORDER BY %s", strings.Join(cols, ", "), strings.Join(c.key, ", "))
		compare(t, c.table+" partitioned by source_file (DuckDB)", ref, duck(t, db, q, filepath.Join(parts, c.table, "**", "*.parquet")), duckTypes, false)
	}
}
