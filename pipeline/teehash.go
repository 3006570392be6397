package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"sync"
)

// An input hashed while it is read is hashed from the bytes its source
// reads from the disk (sources.Input.Tee), so that a plain file or a .gz
// is read from the kernel once, not once to hash and once to parse.
//
// A streamHash takes the file's bytes in order: a run of bytes read at an
// offset adds to the hash only the part that follows the bytes hashed so
// far; runs read before (the sniffed head read again, a second source of
// the same file) add nothing. A run that starts past the bytes hashed (a
// workbook or a zip, read at random, starts at the directory at its end)
// shows that the reader will not give the file in order: a goroutine then
// reads the file from the last byte hashed on, as hashing apart would,
// while the reader goes on; each byte is hashed once, from whichever
// reaches it first. finish hashes from the disk whatever follows the last
// byte hashed: the tail a reader left unread (it stopped early or failed),
// or all of it. The sum is thus always the sha256 of the file's bytes 0..
// its end, in order, whatever the reader did. (A file changed while a run
// reads it has no one sum; tally hashes the bytes its readers were given
// and, past them, what the file holds at the end.)
type streamHash struct {
	path string
	ctx  context.Context // ends the goroutine that catches up

	mu     sync.Mutex
	h      hash.Hash
	next   int64         // bytes 0..next are hashed
	fed    int64         // of them, taken from the readers
	caught chan struct{} // when the goroutine that catches up started, closed once it returns
	done   bool
	res    inputHash
}

func newStreamHash(ctx context.Context, path string) *streamHash {
	return &streamHash{path: path, ctx: ctx, h: sha256.New()}
}

// feed takes p, read from the file at off. It is sources.Input.Tee; it may
// be called from several goroutines at once.
func (s *streamHash) feed(off int64, p []byte) {
	s.mu.Lock()
	if n := s.take(off, p); n > 0 {
		s.fed += n
	} else if off > s.next && s.caught == nil && !s.done {
		s.caught = make(chan struct{})
		go s.catchUp(s.caught)
	}
	s.mu.Unlock()
}

// take hashes what p, read at off, adds to the bytes hashed, and returns
// how much that is. s.mu is held.
func (s *streamHash) take(off int64, p []byte) int64 {
	end := off + int64(len(p))
	if s.done || off > s.next || end <= s.next {
		return 0
	}
	s.h.Write(p[s.next-off:])
	n := end - s.next
	s.next = end
	return n
}

// catchUp reads the file from the last byte hashed to its end, hashing
// what the readers have not, until the hash is finished or s.ctx ends. An
// error is left for finish to meet.
func (s *streamHash) catchUp(caught chan struct{}) {
	defer close(caught)
	f, err := os.Open(s.path)
	if err != nil {
		return
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for s.ctx.Err() == nil {
		s.mu.Lock()
		from, done := s.next, s.done
		s.mu.Unlock()
		if done {
			return
		}
		n, err := f.ReadAt(buf, from)
		s.mu.Lock()
		s.take(from, buf[:n])
		s.mu.Unlock()
		if err != nil || n == 0 {
			return
		}
	}
}

// finish hashes the rest of the file from the disk and gives the sum; the
// bytes fed after it are ignored. It stops when ctx is cancelled, with
// ctx's error.
func (s *streamHash) finish(ctx context.Context) inputHash {
	s.mu.Lock()
	caught := s.caught
	s.mu.Unlock()
	if caught != nil {
		select {
		case <-caught:
		case <-ctx.Done():
			return inputHash{err: ctx.Err()}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return s.res
	}
	if err := ctx.Err(); err != nil {
		return inputHash{err: err}
	}
	f, err := os.Open(s.path)
	if err != nil {
		s.done, s.res = true, inputHash{err: err}
		return s.res
	}
	defer f.Close()
	w := &countingHash{Hash: s.h, progress: func(done, total int64) {}, ctx: ctx}
	// Read in large pieces (see hashFile); the section reads from next to
	// the end of the file as it is now.
	n, err := io.CopyBuffer(w, io.NewSectionReader(f, s.next, 1<<62), make([]byte, tailBuffer(f, s.next)))
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		s.done, s.res = true, inputHash{err: err}
		return s.res
	}
	s.next += n
	s.done, s.res = true, inputHash{sum: hex.EncodeToString(s.h.Sum(nil)), size: s.next}
	return s.res
}

// tailBuffer sizes the buffer finish reads the rest of f with: 1 MiB, or
// less when less is left (after a whole read, nothing is).
func tailBuffer(f *os.File, from int64) int {
	const most, least = 1 << 20, 4 << 10
	fi, err := f.Stat()
	if err != nil {
		return most
	}
	return int(min(max(fi.Size()-from+1, least), most))
}

// teeHashes are the stream hashes of a run's inputs, one per file.
type teeHashes map[string]*streamHash

// hashFromReads lets inputs be hashed from the reads; tests clear it to
// compare with hashing apart. teesMade, when set, hears of the stream
// hashes a run makes (a test hook).
var (
	hashFromReads = true
	teesMade      func(teeHashes)
)

// teeInputs makes the stream hashes of the run's inputs; ctx ends their
// reading apart.
func (r *runner) teeInputs(ctx context.Context) teeHashes {
	t := teeHashes{}
	for _, src := range r.spec.Sources {
		p := r.spec.SourcePath(src.Path)
		if t[p] == nil {
			t[p] = newStreamHash(ctx, p)
		}
	}
	if teesMade != nil {
		teesMade(t)
	}
	return t
}

// finishTees completes the hashes of every input once the sources have
// been read. A file that cannot be read is left for the reader to report,
// as hashInputs does.
func (r *runner) finishTees(ctx context.Context) error {
	hashes := map[string]inputHash{}
	for p, s := range r.tees {
		h := s.finish(ctx)
		if h.err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		hashes[p] = h
	}
	r.hashes = hashes
	return nil
}
