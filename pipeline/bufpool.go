package pipeline

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// bufPool is the allocator of the output batches' buffers. Arrow counts
// the references to a buffer; when the last sink releases a batch, its
// buffers come back here and the next batch takes them. A run of millions
// of rows so reuses a few dozen buffers instead of allocating one per
// column and batch, which the garbage collector would then have to find.
//
// Buffers come in power-of-two sizes from 64 bytes, 64-byte aligned like
// memory.GoAllocator's, and are zeroed when handed out again (Arrow's
// builders expect fresh memory to be zero). The builder's own columns,
// which write every byte a batch holds, take them through raw() instead,
// unzeroed. At most poolKeep free buffers of each size are kept; the
// others are left to the collector.
type bufPool struct {
	mu   sync.Mutex
	free map[int][][]byte // by capacity
	gen  memory.GoAllocator
}

const poolKeep = 64

func newBufPool() *bufPool { return &bufPool{free: map[int][][]byte{}} }

func poolClass(size int) int {
	c := 64
	for c < size {
		c <<= 1
	}
	return c
}

func (p *bufPool) Allocate(size int) []byte {
	b, reused := p.take(size)
	if reused {
		clear(b)
	}
	return b
}

// take returns a buffer of size bytes, and whether it was used before
// (and so holds what its last batch left there).
func (p *bufPool) take(size int) ([]byte, bool) {
	c := poolClass(size)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.mu.Unlock()
		return b[:size], true
	}
	p.mu.Unlock()
	return p.gen.Allocate(c)[:size], false
}

func (p *bufPool) Reallocate(size int, b []byte) []byte {
	return p.realloc(size, b, true)
}

// realloc is Reallocate, zeroing the bytes past b's length or not.
func (p *bufPool) realloc(size int, b []byte, zero bool) []byte {
	if cap(b) >= size {
		n := len(b)
		b = b[:size]
		if zero && size > n {
			clear(b[n:])
		}
		return b
	}
	var nb []byte
	if zero {
		nb = p.Allocate(size)
	} else {
		nb, _ = p.take(size)
	}
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *bufPool) Free(b []byte) {
	c := cap(b)
	if c < 64 || c&(c-1) != 0 {
		return // not one of the pool's sizes
	}
	p.mu.Lock()
	if len(p.free[c]) < poolKeep {
		p.free[c] = append(p.free[c], b[:c])
	}
	p.mu.Unlock()
}

// rawAllocator is an allocator that also hands out buffers without
// zeroing them: raw's buffers hold whatever was there before, and are for
// columns that write every byte of a batch's buffers themselves (the
// values and offsets of strCol and fixedCol). Validity bitmaps and
// booleans, which set only some bits, take zeroed memory.
type rawAllocator interface {
	memory.Allocator
	raw() memory.Allocator
}

func (p *bufPool) raw() memory.Allocator { return (*rawPool)(p) }

// rawPool is a bufPool handing out buffers unzeroed; they go back to the
// same pool.
type rawPool bufPool

func (p *rawPool) Allocate(size int) []byte {
	b, _ := (*bufPool)(p).take(size)
	return b
}

func (p *rawPool) Reallocate(size int, b []byte) []byte {
	return (*bufPool)(p).realloc(size, b, false)
}

func (p *rawPool) Free(b []byte) { (*bufPool)(p).Free(b) }

// rawOf returns mem's unzeroed allocator, or mem when it has none.
func rawOf(mem memory.Allocator) memory.Allocator {
	if r, ok := mem.(rawAllocator); ok {
		return r.raw()
	}
	return mem
}

var (
	_ memory.Allocator = (*bufPool)(nil)
	_ rawAllocator     = (*bufPool)(nil)
)
