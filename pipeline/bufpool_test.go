package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

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
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		gen  func(dir string) (string, int64, error)
		spec func(dir, path string) (string, error)
	}{
		{"long", func(dir string) (string, int64, error) { return testkit.LongCSV(dir, 6_000, 1) }, testkit.LongSpec},
		{"wide", func(dir string) (string, int64, error) { return testkit.WideCSV(dir, 3_000, 1) }, testkit.WideSpec},
	} {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			path, _, err := c.gen(sub)
			if err != nil {
				t.Fatal(err)
			}
			specPath, err := c.spec(sub, path)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := LoadSpec(specPath)
			if err != nil {
				t.Fatal(err)
			}
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
			files, err := filepath.Glob(filepath.Join(outs["go"], "*"))
			if err != nil || len(files) < 10 {
				t.Fatalf("%d output files (%v)", len(files), err)
			}
			for _, f := range files {
				want, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(filepath.Join(outs["poisoned"], filepath.Base(f)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs when released buffers are overwritten", filepath.Base(f))
				}
			}
		})
	}
}
