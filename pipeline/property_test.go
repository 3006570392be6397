package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"tally/report"
)

// A generated results table: regions, each a row followed by the rows of
// its districts, and a national TOTAL row; every figure adds up.
type genTable struct {
	opts    int
	regions []genRegion
}

type genRegion struct {
	id    string
	dists []genRow
}

type genRow struct {
	id, parent string
	vals       []int64 // registered, cast, invalid, valid, then options
	name       string
	bad        string // a cell that is not a number, in the first option's column
}

func genTableOf(t *rapid.T) genTable {
	g := genTable{opts: rapid.IntRange(2, 4).Draw(t, "options")}
	nr := rapid.IntRange(1, 4).Draw(t, "regions")
	for r := range nr {
		reg := genRegion{id: fmt.Sprintf("r%d", r+1)}
		nd := rapid.IntRange(2, 5).Draw(t, "districts")
		for d := range nd {
			votes := make([]int64, g.opts)
			var valid int64
			for o := range votes {
				votes[o] = int64(rapid.IntRange(1, 500).Draw(t, "votes"))
				valid += votes[o]
			}
			invalid := int64(rapid.IntRange(0, 30).Draw(t, "invalid"))
			cast := valid + invalid
			reg2 := cast + int64(rapid.IntRange(0, 400).Draw(t, "abstained"))
			reg.dists = append(reg.dists, genRow{id: fmt.Sprintf("r%d-d%d", r+1, d+1), parent: reg.id,
				vals: append([]int64{reg2, cast, invalid, valid}, votes...)})
		}
		g.regions = append(g.regions, reg)
	}
	return g
}

func sumRows(rows []genRow) []int64 {
	out := make([]int64, len(rows[0].vals))
	for _, r := range rows {
		for i, v := range r.vals {
			out[i] += v
		}
	}
	return out
}

func (r genRow) line() string {
	cells := []string{r.id, r.name, r.parent}
	for i, v := range r.vals {
		if i == 4 && r.bad != "" {
			cells = append(cells, r.bad)
			continue
		}
		cells = append(cells, strconv.FormatInt(v, 10))
	}
	return strings.Join(cells, ";")
}

// A corruption done to one region of the table.
type corruption struct {
	kind   string // drop, duplicate, change, subtotal, garbage
	region string
	row    int     // the row (1-based, in the file) it concerns
	unit   string  // the unit it concerns
	delta  []int64 // what the region's children gain (negative: lose) by value
}

// Generated tables with one corruption in some of their regions: every
// corruption is found and located, no region left alone is reported, and
// every input row is used or rejected (rows in = rows out + rejected).
func TestCorruptionsAreLocated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := genTableOf(t)
		var lines []string
		header := "Nr;Name;Parent unit id;Registered;Ballots cast;Invalid;Valid"
		for o := range g.opts {
			header += ";" + string(rune('A'+o))
		}
		lines = append(lines, header)
		var corr []corruption
		for _, reg := range g.regions {
			kind := rapid.SampledFrom([]string{"none", "drop", "duplicate", "change", "subtotal", "garbage"}).Draw(t, "corruption")
			sum := sumRows(reg.dists)
			lines = append(lines, genRow{id: reg.id, vals: sum}.line())
			rows := append([]genRow(nil), reg.dists...)
			c := corruption{kind: kind, region: reg.id}
			k := rapid.IntRange(0, len(rows)-1).Draw(t, "which")
			switch kind {
			case "drop":
				c.unit, c.delta = rows[k].id, neg(rows[k].vals)
				rows = append(rows[:k], rows[k+1:]...)
			case "duplicate":
				c.unit, c.delta = rows[k].id, rows[k].vals
				rows = append(rows[:k+1], rows[k:]...)
			case "change":
				o := rapid.IntRange(0, g.opts-1).Draw(t, "option")
				d := int64(rapid.IntRange(1, 50).Draw(t, "delta"))
				r := rows[k]
				r.vals = append([]int64(nil), r.vals...)
				r.vals[4+o] += d
				rows[k] = r
				c.unit, c.delta = r.id, make([]int64, len(r.vals))
				c.delta[4+o] = d
			case "subtotal":
				sub := genRow{id: reg.id + "-sub", parent: reg.id, vals: sumRows(rows[:k+1])}
				rows = append(rows[:k+1], append([]genRow{sub}, rows[k+1:]...)...)
				c.unit, c.delta = sub.id, sub.vals
				k++
			case "garbage":
				r := rows[k]
				r.bad = "n/d?"
				rows[k] = r
				c.unit, c.delta = r.id, neg(r.vals)
			}
			c.row = len(lines) + 1 + k
			if kind == "duplicate" {
				c.row++ // the second copy
			}
			for _, r := range rows {
				lines = append(lines, r.line())
			}
			corr = append(corr, c)
		}
		total := make([]int64, 4+g.opts)
		for _, reg := range g.regions {
			for i, v := range sumRows(reg.dists) {
				total[i] += v
			}
		}
		lines = append(lines, genRow{name: "TOTAL", vals: total}.line())

		sum := runGenerated(t, strings.Join(lines, "\n")+"\n")

		// Rows in = rows out + rows rejected.
		s := sum.Sources[0]
		garbage := 0
		for _, c := range corr {
			if c.kind == "garbage" {
				garbage++
			}
		}
		if s.Rows != len(lines) || s.Data != len(lines)-1 || s.Used+s.Rejected != s.Data || s.Rejected != garbage {
			t.Fatalf("rows not accounted for: %+v with %d lines, %d garbage rows", s, len(lines), garbage)
		}
		if int(sum.Tables["units"]) != s.Used || int(sum.Tables["results"]) != s.Used*g.opts || len(rejectsOf(sum)) != garbage {
			t.Fatalf("tables %v, rejects %d, for %d rows used", sum.Tables, len(rejectsOf(sum)), s.Used)
		}
		for _, c := range corr {
			checkLocated(t, findingsOf(sum), c, g.opts)
		}
	})
}

func neg(v []int64) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

func runGenerated(t *rapid.T, csv string) *Summary {
	dir, err := os.MkdirTemp("", "tally-property")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	spec := `election: {id: gen}
sources:
  - path: h.csv
    columns: {unit_id: Nr, unit_name: Name, parent: Parent unit id}
    levels:
      - {level: region, column: Parent unit id, value: ""}
      - {level: district}
`
	for name, body := range map[string]string{"spec.yaml": spec, "h.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sp, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), sp, Options{})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, csv)
	}
	return sum
}

// checkLocated checks that a corruption is found where it was made.
func checkLocated(t *rapid.T, fs []report.Finding, c corruption, opts int) {
	region := "region-" + c.region
	var mism []report.Finding
	for _, f := range fs {
		if f.Code == report.HierarchyMismatch && f.UnitID == region {
			mism = append(mism, f)
		}
	}
	if c.kind == "none" {
		if len(mism) != 0 {
			t.Fatalf("region %s untouched, yet: %s", c.region, findingList(mism))
		}
		return
	}
	// The region's sum is off by exactly the corruption, value by value.
	names := []string{"registered", "ballots_cast", "invalid", "valid"}
	for i, d := range c.delta {
		if d == 0 {
			continue
		}
		opt, figure := "", ""
		if i >= 4 {
			opt = strings.ToLower(string(rune('a' + i - 4)))
		} else {
			figure = names[i]
		}
		found := false
		for _, f := range mism {
			exp, _ := strconv.ParseInt(f.Expected, 10, 64)
			act, _ := strconv.ParseInt(f.Actual, 10, 64)
			if f.OptionID == opt && (figure == "" || strings.HasPrefix(f.Message, figure+" of")) && act-exp == d {
				found = true
				if !locates(f, c) {
					t.Fatalf("%s of %s in region %s: the finding does not name it: %s", c.kind, c.unit, c.region, f)
				}
			}
		}
		if !found {
			t.Fatalf("%s of %s (row %d) in region %s: no hierarchy-mismatch off by %+d in value %d among:\n%s", c.kind, c.unit, c.row, c.region, d, i, findingList(fs))
		}
	}
	// And the corrupted row itself is named.
	var want report.Code
	switch c.kind {
	case "duplicate":
		want = report.DuplicateUnit
	case "change":
		want = report.VotesSumMismatch
	case "garbage":
		want = report.BadNumber
	default:
		return
	}
	for _, f := range fs {
		if f.Code == want && f.Pos.Row == c.row {
			return
		}
	}
	t.Fatalf("%s at row %d: no %s finding there among:\n%s", c.kind, c.row, want, findingList(fs))
}

// locates reports whether a region's mismatch names the unit that carries
// it, where the data can tell: a copy or a subtotal holds the excess, a
// changed cell shows in its unit's own arithmetic. A dropped or rejected
// row leaves only the region's shortfall.
func locates(f report.Finding, c corruption) bool {
	switch c.kind {
	case "duplicate":
		return strings.Contains(f.Message, fmt.Sprintf("unit %q is counted twice", "district-"+c.unit))
	case "subtotal":
		return strings.Contains(f.Message, fmt.Sprintf("unit %q (h.csv::%d) holds exactly the difference", "district-"+c.unit, c.row))
	case "change":
		if f.OptionID == "" {
			return true
		}
		return strings.Contains(f.Message, fmt.Sprintf("unit %q's options also miss its valid ballots", "district-"+c.unit)) &&
			strings.Contains(f.Message, fmt.Sprintf("h.csv::%d:", c.row))
	}
	return true
}
