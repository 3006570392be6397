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
// memory.GoAllocator's, and are zeroed when handed out again (builders
// expect fresh memory to be zero). At most poolKeep free buffers of each
// size are kept; the others are left to the collector.
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
	c := poolClass(size)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.mu.Unlock()
		b = b[:size]
		clear(b)
		return b
	}
	p.mu.Unlock()
	return p.gen.Allocate(c)[:size]
}

func (p *bufPool) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		n := len(b)
		b = b[:size]
		if size > n {
			clear(b[n:])
		}
		return b
	}
	nb := p.Allocate(size)
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

var _ memory.Allocator = (*bufPool)(nil)
