package report

import (
	"os"
	"syscall"
)

// punchHole gives back to the file system the room of a part of f that
// is no longer read (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE). It is
// best effort: a file system without holes keeps the room until the file
// is closed.
func punchHole(f *os.File, off, size int64) {
	if size > 0 {
		syscall.Fallocate(int(f.Fd()), 0x02|0x01, off, size)
	}
}
