package testkit

import (
	"testing"
	"time"
)

// ReportCPU adds the process's CPU time per operation since start (a
// CPUTime reading) to b's results as cpu-ns/op: every goroutine's work,
// which a machine shared with other work disturbs less than wall time.
//
//	defer testkit.ReportCPU(b, testkit.CPUTime())
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
}
