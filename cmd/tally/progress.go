package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// stageTime is how long one stage of a run took.
type stageTime struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"elapsed_time"`
}

// runObserver hears a run's progress (pipeline.Observer): it times each
// stage for the --json summary and the debug log, and on a terminal draws
// a bar per source and stage (bytes hashed, rows read). Off a terminal it
// draws nothing at all.
type runObserver struct {
	log    *slog.Logger
	start  time.Time
	stage  string
	begun  time.Time
	timing []stageTime

	p     *mpb.Progress // nil off a terminal
	bars  map[string]*mpb.Bar
	order []*mpb.Bar
}

func newRunObserver(log *slog.Logger, w io.Writer, draw bool) *runObserver {
	o := &runObserver{log: log, start: time.Now(), bars: map[string]*mpb.Bar{}}
	if draw {
		o.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
	}
	return o
}

func (o *runObserver) Stage(name string) {
	o.endStage()
	o.stage, o.begun = name, time.Now()
	o.log.Debug("stage", "name", name)
	if o.p != nil && (name == "allocate" || name == "write") {
		o.bar(name, name, 1, decor.Name(""))
	}
}

func (o *runObserver) endStage() {
	if o.stage == "" {
		return
	}
	d := time.Since(o.begun)
	o.timing = append(o.timing, stageTime{o.stage, d.Seconds()})
	o.log.Debug("stage done", "name", o.stage, "seconds", fmt.Sprintf("%.3f", d.Seconds()))
	if b := o.bars[o.stage]; b != nil {
		b.SetCurrent(1) // a stage's bar has a total of 1
	}
	o.stage = ""
}

func (o *runObserver) Hashed(source string, done, total int64) {
	if o.p == nil {
		return
	}
	b := o.bar("hash "+source, "hash "+filepath.Base(source), total, decor.CountersKibiByte("% .1f / % .1f"))
	b.SetCurrent(done)
	if done >= total {
		b.SetTotal(-1, true)
	}
}

func (o *runObserver) Read(source string, rows int) {
	if o.p == nil {
		return
	}
	b := o.bar("read "+source, "read "+filepath.Base(source), 0, decor.CurrentNoUnit("%d rows"))
	b.SetCurrent(int64(rows))
}

// bar returns the bar of key, adding it (at the bottom) the first time.
func (o *runObserver) bar(key, name string, total int64, counter decor.Decorator) *mpb.Bar {
	if b, ok := o.bars[key]; ok {
		return b
	}
	b := o.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(name, decor.WC{C: decor.DindentRight | decor.DextraSpace, W: 28})),
		mpb.AppendDecorators(counter),
	)
	o.bars[key] = b
	o.order = append(o.order, b)
	return b
}

// finish ends the last stage and, on a terminal, completes every bar and
// waits for the display to be drawn, so that what follows on stderr comes
// after it.
func (o *runObserver) finish() []stageTime {
	o.endStage()
	if o.p != nil {
		for _, b := range o.order {
			if !b.Completed() {
				b.SetTotal(-1, true)
			}
		}
		o.p.Wait()
		o.p = nil
	}
	return o.timing
}

// elapsed is the time since the run began.
func (o *runObserver) elapsed() float64 { return time.Since(o.start).Seconds() }
