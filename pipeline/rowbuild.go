package pipeline

import (
	"context"
	"slices"
	"sync/atomic"
)

// rowBuilder builds the output rows of flushed units (buildRows) on a
// goroutine of its own, so that the goroutine reading and checking rows,
// the busiest of a run, does not. Units go to it in chunks, in the order
// they were flushed, and it cuts batches exactly as building them in line
// would: the same rows give the same batches and so the same bytes.
type rowBuilder struct {
	r      *runner
	ctx    context.Context
	cur    *unitChunk
	ch     chan *unitChunk
	free   chan *unitChunk
	done   chan struct{}
	failed atomic.Bool
	err    error // set by the goroutine; read once failed or done
}

// unitChunk is a run of flushed units with their results.
type unitChunk struct {
	contest []string
	units   []outUnit
	ends    []int // units[i]'s results are res[ends[i-1]:ends[i]]
	res     []outRes
}

// outRes is what the output rows take of a result: under half of a
// resRow, so that the chunks handed from the checking goroutine to the
// building one (and through both cores' caches) are that much smaller.
type outRes struct {
	opt   *optEntry
	votes opt
	row   int   // source row of the votes
	col   int32 // 0-based column of the votes
}

func outResOf(res *resRow) outRes {
	return outRes{opt: res.opt, votes: res.votes, row: res.row, col: res.col}
}

// chunkUnits is how many units go to the building goroutine at a time.
const chunkUnits = 256

func (r *runner) startRowBuilder(ctx context.Context) *rowBuilder {
	b := &rowBuilder{r: r, ctx: ctx, ch: make(chan *unitChunk, 4), free: make(chan *unitChunk, 6), done: make(chan struct{})}
	go b.loop()
	return b
}

// add copies a flushed unit into the current chunk (the caller reuses
// u), and hands the chunk on when full.
func (b *rowBuilder) add(contest string, u *unitBuf, base opt) error {
	if b.failed.Load() {
		return b.err
	}
	c := b.cur
	if c == nil {
		select {
		case c = <-b.free:
		default:
			c = &unitChunk{}
		}
		b.cur = c
	}
	c.contest = append(c.contest, contest)
	c.units = append(c.units, outUnitOf(u, base))
	from := len(c.res)
	c.res = slices.Grow(c.res, len(u.results))[:from+len(u.results)]
	res := c.res[from:]
	for i := range res {
		res[i] = outResOf(&u.results[i])
	}
	c.ends = append(c.ends, len(c.res))
	if len(c.units) == chunkUnits {
		b.ch <- c
		b.cur = nil
	}
	return nil
}

// finish hands on the last chunk, waits until every row is built and the
// last batches are written, and returns the first error.
func (b *rowBuilder) finish() error {
	if b.cur != nil {
		b.ch <- b.cur
		b.cur = nil
	}
	close(b.ch)
	<-b.done
	return b.err
}

func (b *rowBuilder) loop() {
	defer close(b.done)
	for c := range b.ch {
		if b.err == nil {
			from := 0
			for i := range c.units {
				b.r.buildRows(c.contest[i], c.units[i], c.res[from:c.ends[i]])
				from = c.ends[i]
			}
			if err := b.r.flushTables(b.ctx, false); err != nil {
				b.err = err
				b.failed.Store(true)
			}
		}
		// The options c.res points to are the run's own (r.opts): keeping
		// them referenced until overwritten holds nothing alive.
		c.contest, c.units, c.ends, c.res = c.contest[:0], c.units[:0], c.ends[:0], c.res[:0]
		select {
		case b.free <- c:
		default:
		}
	}
	if b.err == nil {
		b.err = b.r.flushTables(b.ctx, true)
	}
}

// optTemplate remembers how the last unit's options were written to the
// results batch: its sequence of options and their cells' columns, and
// the dictionary indices and column numbers they took. The units of a
// table mostly list the same options in the same cells (every row of a
// wide table does), so the next unit with that sequence, in the same
// batch, copies them instead of looking each option up again.
type optTemplate struct {
	ok   bool
	gen  int // the batch the indices belong to
	ents []*optEntry
	cols []int32
	idx  [4][]int32 // of results columns 4-7 (option id, name, kind, party)
	num  []uint64   // source_column
}

// apply writes results' option columns from the template and reports
// whether it could.
func (t *optTemplate) apply(b *builder, results []outRes) bool {
	if !t.ok || t.gen != b.gen || len(results) != len(t.ents) {
		return false
	}
	for i := range results {
		if results[i].opt != t.ents[i] || results[i].col != t.cols[i] {
			return false
		}
	}
	for c := range t.idx {
		b.dicts[4+c].idx.addAll(t.idx[c])
	}
	b.nums[13].addAll(t.num)
	return true
}

// keep makes the template of results, just written to b by hand.
func (t *optTemplate) keep(b *builder, results []outRes) {
	n := len(results)
	t.ok = false
	for _, res := range results {
		if res.opt.Party == "" {
			return // a null: written by hand each time
		}
	}
	for c := range t.idx {
		vals := b.dicts[4+c].idx.vals
		t.idx[c] = append(t.idx[c][:0], vals[len(vals)-n:]...)
	}
	nums := b.nums[13].vals
	t.num = append(t.num[:0], nums[len(nums)-n:]...)
	t.ents, t.cols = t.ents[:0], t.cols[:0]
	for _, res := range results {
		t.ents = append(t.ents, res.opt)
		t.cols = append(t.cols, res.col)
	}
	t.ok, t.gen = true, b.gen
}
