package main

import (
	"runtime/debug"
	"testing"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent},           // 1 MiB live: the floor would be GOGC=7900
		{heapFloor / 2, 100},              // the heap may double to the floor
		{heapFloor / 4 * 3, minGCPercent}, // 1.33x would undercut 1.5x
		{heapFloor, minGCPercent},
		{4 * heapFloor, minGCPercent},
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}

// GOGC or GOMEMLIMIT in the environment leave the collector alone.
func TestTuneGCRespectsEnvironment(t *testing.T) {
	prev := debug.SetGCPercent(123)
	defer debug.SetGCPercent(prev)
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		tuneGC(func(k string) string {
			if k == env {
				return "200"
			}
			return ""
		})
		if got := debug.SetGCPercent(123); got != 123 {
			t.Errorf("with %s set, GOGC became %d", env, got)
		}
	}
	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(123); got == 123 {
		t.Error("with neither set, the collector was not tuned")
	}
}
