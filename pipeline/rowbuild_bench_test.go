package pipeline

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/internal/testkit"
	"tally/report"
)

// BenchmarkBuildRows builds the results and units rows of polling
// stations of a dozen options, as the row builder does for every unit a
// run writes, flushing a batch every 32,768 result rows. cpu-ns/op is the
// process's CPU time, collection included.
func BenchmarkBuildRows(b *testing.B) {
	r := &runner{spec: &Spec{Election: Election{ID: "kz-2021"}}}
	r.results = newBuilder(memory.NewGoAllocator(), ResultsTable)
	r.units = newBuilder(memory.NewGoAllocator(), UnitsTable)
	defer r.results.release()
	defer r.units.release()
	opts := make([]*optEntry, 12)
	for i := range opts {
		opts[i] = r.opts.ref(Option{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Party %d", i), Kind: "list", Party: fmt.Sprintf("p%d", i)})
	}
	const units = 4096
	ids := make([]string, units)
	res := make([]outRes, len(opts))
	for i := range ids {
		ids[i] = fmt.Sprintf("d%d/%d", i/60, i)
	}
	b.SetBytes(int64(units * len(opts)))
	b.ReportAllocs()
	rows := 0
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		for i, id := range ids {
			u := outUnit{id: id, name: id, level: "precinct", parent: "d", pos: report.Position{File: "w.csv", Row: i + 2}, base: some(1000)}
			for k, o := range opts {
				res[k] = outRes{opt: o, votes: some(int64(i*7+k) % 97), row: i + 2, col: int32(8 + k)}
			}
			r.buildRows("national", u, res)
			rows += len(res)
			if r.results.rows >= 32768 {
				r.results.flush().Release()
				r.units.flush().Release()
			}
		}
	}
	if rows == 0 {
		b.Fatal("no rows built")
	}
}
