package pipeline

import (
	"context"
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
	res     []resRow
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
	c.res = append(c.res, u.results...)
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
		clear(c.res) // drop the strings the chunk held
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
