package pipeline

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"pgregory.net/rapid"

	"tally/report"
)

// Units written through the option template give the same rows as units
// written one option at a time, whatever the options, their cells, the
// parties missing and the batch boundaries.
func TestOptionTemplateWritesTheSameRows(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var tab optTable
		pool := make([]*optEntry, 6)
		for i := range pool {
			party := fmt.Sprintf("p%d", i)
			if i == 5 {
				party = "" // an option of no party: a null
			}
			pool[i] = tab.ref(Option{ID: fmt.Sprintf("o%d", i), Name: fmt.Sprintf("Option %d", i), Kind: "list", Party: party})
		}
		build := func(useTemplate bool, units [][]outRes, flushAt map[int]bool) []string {
			r := &runner{spec: &Spec{Election: Election{ID: "e"}}}
			r.results = newBuilder(memory.NewGoAllocator(), ResultsTable)
			r.units = newBuilder(memory.NewGoAllocator(), UnitsTable)
			defer r.results.release()
			defer r.units.release()
			var rows []string
			take := func() {
				rec := r.results.flush()
				if rec == nil {
					return
				}
				defer rec.Release()
				rows = append(rows, dumpRows(rec)...)
				r.units.flush().Release()
			}
			for i, res := range units {
				if !useTemplate {
					r.tmpl.ok = false
				}
				r.buildRows("c", outUnit{id: fmt.Sprint("u", i), name: "n", level: "precinct", pos: report.Position{File: "f.csv", Row: i + 2}, base: some(100)}, res)
				if flushAt[i] {
					take()
				}
			}
			take()
			return rows
		}
		n := rapid.IntRange(1, 40).Draw(rt, "units")
		seq := rapid.SliceOfN(rapid.IntRange(0, len(pool)-1), 1, 5).Draw(rt, "options")
		var units [][]outRes
		flushAt := map[int]bool{}
		for i := range n {
			s := seq
			if rapid.IntRange(0, 4).Draw(rt, "change") == 0 {
				s = rapid.SliceOfN(rapid.IntRange(0, len(pool)-1), 0, 5).Draw(rt, "other")
			}
			shift := int32(rapid.IntRange(0, 1).Draw(rt, "shift"))
			var res []outRes
			for k, o := range s {
				res = append(res, outRes{opt: pool[o], votes: some(int64(i + k)), row: i + 2, col: int32(k) + shift})
			}
			units = append(units, res)
			flushAt[i] = rapid.IntRange(0, 5).Draw(rt, "flush") == 0
		}
		want, got := build(false, units, flushAt), build(true, units, flushAt)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			rt.Fatalf("rows differ:\n without template %v\n with template    %v", want, got)
		}
	})
}

// dumpRows renders a batch's rows as text, dictionaries decoded.
func dumpRows(rec arrow.RecordBatch) []string {
	out := make([]string, rec.NumRows())
	for c := range int(rec.NumCols()) {
		col := rec.Column(c)
		for i := range out {
			v := "null"
			if col.IsValid(i) {
				if d, ok := col.(*array.Dictionary); ok {
					v = d.Dictionary().(*array.String).Value(d.GetValueIndex(i))
				} else {
					v = col.ValueStr(i)
				}
			}
			out[i] += v + "|"
		}
	}
	return out
}

// A column built with runs of values and nulls holds what it would built
// one value at a time, across batches.
func TestFixedColRuns(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		mem := newBufPool()
		var c fixedCol[int32]
		c.typ, c.mem = arrow.PrimitiveTypes.Int32, mem
		var want []string
		check := func() {
			a := c.flush()
			defer a.Release()
			var got []string
			for i := range a.Len() {
				got = append(got, a.ValueStr(i))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				rt.Fatalf("column %v, want %v", got, want)
			}
			want = nil
		}
		for range rapid.IntRange(1, 30).Draw(rt, "steps") {
			n := rapid.IntRange(0, 700).Draw(rt, "n")
			v := int32(rapid.IntRange(-5, 5).Draw(rt, "v"))
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0:
				c.add(v)
				want = append(want, fmt.Sprint(v))
			case 1:
				c.null()
				want = append(want, "(null)")
			case 2:
				c.fill(v, n)
				for range n {
					want = append(want, fmt.Sprint(v))
				}
			case 3:
				c.nullN(n)
				for range n {
					want = append(want, "(null)")
				}
			case 4:
				if len(want) > 0 {
					check()
				}
			}
		}
		if len(want) > 0 {
			check()
		}
		c.release()
	})
}
