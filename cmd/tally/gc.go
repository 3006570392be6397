package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector's goal. Go's default (GOGC=100: collect when the
// heap has doubled since the last collection) spends most of its
// collections on a small heap: tally's live heap is a few batches in
// flight and the per-unit aggregates, tens of megabytes. tally instead
// lets the heap grow to heapFloor before collecting while the live heap
// is small, and to 1.5 times the live heap (GOGC=50) once that is larger,
// so peak memory stays near heapFloor on small and large inputs alike and
// collections are few. GOGC or GOMEMLIMIT in the environment turn this off.
const (
	heapFloor     = 64 << 20
	minGCPercent  = 50
	maxGCPercent  = 1000
	liveHeapStats = "/gc/heap/live:bytes"
)

// tuneGC sets the collector's goal now and after every collection.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(gcPercent(0))
	armGCTuner()
}

// gcPercent is the GOGC that sets the next collection at
// max(heapFloor, 1.5 x live).
func gcPercent(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := int(heapFloor*100/live) - 100
	return max(minGCPercent, min(p, maxGCPercent))
}

// gcSentinel is unreachable as soon as it is made; its finalizer runs
// after the next collection, retunes the collector and arms a new one.
type gcSentinel struct{ _ *int }

func armGCTuner() {
	s := &gcSentinel{}
	runtime.SetFinalizer(s, func(*gcSentinel) {
		sample := []metrics.Sample{{Name: liveHeapStats}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetGCPercent(gcPercent(sample[0].Value.Uint64()))
		}
		armGCTuner()
	})
}
