//go:build !unix

package testkit

import "time"

// CPUTime is the CPU time the process has used so far; this system does
// not say, so it is 0.
func CPUTime() time.Duration { return 0 }
