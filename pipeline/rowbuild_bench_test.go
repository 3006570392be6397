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
// process's CPU time, collection included. alloc=pool takes the buffers
// from a run's bufPool, as a run does: each batch reuses the buffers of
// the one before.
func BenchmarkBuildRows(b *testing.B) {
	b.Run("alloc=go", func(b *testing.B) { benchBuildRows(b, memory.NewGoAllocator()) })
	b.Run("alloc=pool", func(b *testing.B) { benchBuildRows(b, newBufPool()) })
}

func benchBuildRows(b *testing.B, mem memory.Allocator) {
	r := &runner{spec: &Spec{Election: Election{ID: "kz-2021"}}}
	r.results = newBuilder(mem, ResultsTable)
	r.units = newBuilder(mem, UnitsTable)
	defer r.results.release()
	defer r.units.release()
	opts := make([]*optEntry, 12)
	for i := range opts {
		opts[i] = r.opts.ref(Option{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Party %d", i), Kind: "list", Party: fmt.Sprintf("p%d", i)})
	}
	const units = 4096
	ids, parents := make([]string, units), make([]string, units/60+1)
	res := make([]outRes, len(opts))
	for i := range parents {
		parents[i] = fmt.Sprintf("d%d", i)
	}
	for i := range ids {
		ids[i] = fmt.Sprintf("%s/%d", parents[i/60], i)
	}
	b.SetBytes(int64(units * len(opts)))
	b.ReportAllocs()
	rows := 0
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		for i, id := range ids {
			// The figures of a wide table: no ballots issued.
			fig := [numFigures]opt{some(1500), {}, some(1000), some(20), some(980)}
			u := outUnit{id: id, name: id, level: "precinct", parent: parents[i/60], pos: report.Position{File: "w.csv", Row: i + 2}, fig: fig, base: some(980)}
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
