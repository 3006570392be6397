package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/internal/testkit"
)

// poisonPool is a bufPool that scribbles over every buffer given back, so
// that a sink reading a batch after releasing it reads garbage.
type poisonPool struct{ *bufPool }

func (p poisonPool) Free(b []byte) {
	for i := range b[:cap(b)] {
		b[:cap(b)][i] = 0xa5
	}
	p.bufPool.Free(b)
}

func (p poisonPool) Reallocate(size int, b []byte) []byte {
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// The pooled buffers of output batches are reused only once every sink
// has let go of them: every output file of a run whose freed buffers are
// overwritten at once is byte for byte that of a run with buffers the
// collector alone reclaims, in every format and with many small batches,
// and every buffer taken from the pool goes back to it.
func TestPooledBuffersAreReusedOnlyWhenReleased(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  func(dir string) (string, int64, error)
		spec func(dir, path string) (string, error)
	}{
		{"long", func(dir string) (string, int64, error) { return testkit.LongCSV(dir, 6_000, 1) }, testkit.LongSpec},
		{"wide", func(dir string) (string, int64, error) { return testkit.WideCSV(dir, 3_000, 1) }, testkit.WideSpec},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec, _ := generatedSpec(t, c.gen, c.spec)
			sub := t.TempDir()
			checked := memory.NewCheckedAllocator(poisonPool{newBufPool()})
			outs := map[string]string{}
			for name, mem := range map[string]memory.Allocator{"go": memory.NewGoAllocator(), "poisoned": checked} {
				out := filepath.Join(sub, "out-"+name)
				opt := Options{OutDir: out, Write: true, Force: true, BatchRows: 700, Mem: mem, Formats: []string{"parquet", "arrow", "csv"}}
				if _, err := Run(context.Background(), spec, opt); err != nil {
					t.Fatal(err)
				}
				outs[name] = out
			}
			checked.AssertSize(t, 0)
			sameFiles(t, outs["go"], outs["poisoned"], "when released buffers are overwritten")
		})
	}
}

// garbagePool is a bufPool whose unzeroed buffers (raw) come filled with
// garbage, fresh or reused, and grown ones with garbage past what they
// held: a byte of a batch the builder did not write shows in the output.
type garbagePool struct {
	*bufPool
	raws atomic.Int64 // raw allocations
}

func (p *garbagePool) raw() memory.Allocator { return garbageRaw{p} }

type garbageRaw struct{ p *garbagePool }

func scribble(b []byte) {
	for i := range b {
		b[i] = 0xa5 ^ byte(i*7)
	}
}

func (g garbageRaw) Allocate(size int) []byte {
	g.p.raws.Add(1)
	b, _ := g.p.take(size)
	scribble(b[:cap(b)])
	return b
}

func (g garbageRaw) Reallocate(size int, b []byte) []byte {
	g.p.raws.Add(1)
	n := len(b)
	nb := g.p.realloc(size, b, false)
	if &nb[0] != &b[0] {
		scribble(nb[n:cap(nb)])
	} else if size > n {
		scribble(nb[n:size])
	}
	return nb
}

func (g garbageRaw) Free(b []byte) { g.p.Free(b) }

// The builder's columns write every byte of the buffers they take
// unzeroed: every output file, in every format and with many small
// batches, is byte for byte the same whether those buffers hold zeros or
// garbage. The tables include nulls of every kind (blank votes and
// figures, options without a party, CSV sheets), findings and rejects.
func TestUnzeroedBuffersLeakNothing(t *testing.T) {
	irregular := func(dir string) (string, int64, error) {
		path, _, err := testkit.LongCSV(dir, 6_000, 3)
		if err != nil {
			return "", 0, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return "", 0, err
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		for i := 1; i < len(lines); i++ {
			f := strings.Split(lines[i], ",")
			switch {
			case i%97 == 0:
				lines[i] = "not,a,row" // a reject
				continue
			case i%7 == 0:
				f[len(f)-4] = "" // votes
			case i%13 == 0:
				f[len(f)-1] = "" // invalid
			}
			lines[i] = strings.Join(f, ",")
		}
		out := strings.Join(lines, "\n") + "\n"
		return path, int64(len(out)), os.WriteFile(path, []byte(out), 0o644)
	}
	kz := func(name string) func(string) (string, int64, error) {
		return func(string) (string, int64, error) {
			p, err := filepath.Abs(filepath.Join("..", "testdata", "kz-2021", name))
			return p, 0, err
		}
	}
	given := func(dir, path string) (string, error) { return path, nil }
	for _, c := range []struct {
		name string
		gen  func(dir string) (string, int64, error)
		spec func(dir, path string) (string, error)
	}{
		{"irregular", irregular, testkit.LongSpec},
		{"wide", func(dir string) (string, int64, error) { return testkit.WideCSV(dir, 3_000, 1) }, testkit.WideSpec},
		{"kz-long", kz("pipeline.yaml"), given},
		{"kz-wide", kz("pipeline-wide.yaml"), given},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec, _ := generatedSpec(t, c.gen, c.spec)
			sub := t.TempDir()
			garbage := &garbagePool{bufPool: newBufPool()}
			outs := map[string]string{}
			var sum *Summary
			for name, mem := range map[string]memory.Allocator{"zeroed": memory.NewGoAllocator(), "garbage": garbage} {
				out := filepath.Join(sub, "out-"+name)
				opt := Options{OutDir: out, Write: true, Force: true, BatchRows: 700, Mem: mem, Formats: []string{"parquet", "arrow", "csv"}}
				s, err := Run(context.Background(), spec, opt)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				sum = s
				outs[name] = out
			}
			if garbage.raws.Load() == 0 {
				t.Fatal("no buffer taken unzeroed")
			}
			if c.name == "irregular" && (sum.RejectCount() == 0 || sum.FindingCount() == 0) {
				t.Fatalf("%d rejects, %d findings: the irregular table should have both", sum.RejectCount(), sum.FindingCount())
			}
			sameFiles(t, outs["zeroed"], outs["garbage"], "when buffers come unzeroed")
		})
	}
}

// Each column the builder keeps writes every byte of the buffers a batch
// holds, nulls included (which no table of a run may have: a null plain
// string, say): its batches' buffers are the same whether they came
// zeroed or full of garbage, batch after batch.
func TestColumnsWriteEveryByte(t *testing.T) {
	build := func(mem memory.Allocator) [][]byte {
		var bufs [][]byte
		keep := func(a arrow.Array) {
			for _, b := range a.Data().Buffers() {
				if b != nil {
					bufs = append(bufs, bytes.Clone(b.Bytes()))
				}
			}
			if d, ok := a.(*array.Dictionary); ok {
				for _, b := range d.Dictionary().Data().Buffers() {
					if b != nil {
						bufs = append(bufs, bytes.Clone(b.Bytes()))
					}
				}
			}
			a.Release()
		}
		s := &strCol{mem: mem}
		n := &numCol{typ: arrow.PrimitiveTypes.Int64, mem: mem}
		d := newDictCol(mem)
		vals := []string{"a", "bb", "", "cccc", "Район 7-12"}
		for batch := range 3 {
			for i := range 1000 + 300*batch {
				v := vals[i%len(vals)]
				switch i % 17 {
				case 3:
					s.null()
					n.null()
					d.null()
				case 5:
					n.nullN(3)
					d.idx.nullN(2)
					s.add(v)
				case 8:
					n.fill(uint64(i), 4)
					d.idx.addAll([]int32{0, 0})
					s.add(v)
				default:
					s.add(v)
					n.add(uint64(i) * 31)
					d.add(v)
				}
			}
			keep(s.flush())
			keep(n.flush())
			keep(d.flush())
		}
		return bufs
	}
	want := build(memory.NewGoAllocator())
	g := &garbagePool{bufPool: newBufPool()}
	got := build(g.raw())
	if g.raws.Load() == 0 {
		t.Fatal("no buffer taken unzeroed")
	}
	if len(got) != len(want) {
		t.Fatalf("%d buffers, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("buffer %d differs when taken unzeroed", i)
		}
	}
}
