package pipeline

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sumOf(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Whatever runs of the file a reader hands on (repeated, overlapping, out
// of order, with gaps, from several goroutines, stopping anywhere), the
// stream hash is the sha256 of the whole file, and it takes from the disk
// only what follows the bytes hashed in order.
func TestStreamHashWholeFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3<<20+12345)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	p := filepath.Join(t.TempDir(), "in.csv")
	writeFile(t, p, data)
	want := sumOf(data)
	n := int64(len(data))
	chunks := func(from, to int64, size int) [][2]int64 {
		var out [][2]int64
		for at := from; at < to; at += int64(size) {
			out = append(out, [2]int64{at, min(at+int64(size), to)})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		runs  [][2]int64 // [from, to) runs fed in this order
		fed   int64      // bytes the runs put in order from 0; -1 when a reading apart races with them
		apart bool       // whether the file is read apart from a gap on
	}{
		{"nothing read", nil, 0, false},
		{"whole, in order", chunks(0, n, 128<<10), n, false},
		{"head, then whole again", append(chunks(0, 64<<10, 64<<10), chunks(0, n, 100000)...), n, false},
		{"stops early", chunks(0, 1<<20, 4096), 1 << 20, false},
		{"gap", append(chunks(0, 1000, 1000), chunks(2000, n, 1<<20)...), -1, true},
		{"gap filled later", append(chunks(2000, n, 1<<20), chunks(0, 3000, 7)...), -1, true},
		{"overlapping", [][2]int64{{0, 10}, {5, 20}, {3, 7}, {20, 20}, {19, 1 << 20}, {1<<20 - 1, n}}, n, false},
		{"from the end", [][2]int64{{n - 22, n}, {0, 64 << 10}}, -1, true},
		{"past the end", [][2]int64{{0, n}, {n, n}}, n, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStreamHash(context.Background(), p)
			for _, r := range tc.runs {
				s.feed(r[0], data[r[0]:r[1]])
			}
			if tc.fed >= 0 && s.fed != tc.fed {
				t.Errorf("fed %d bytes in order, want %d", s.fed, tc.fed)
			}
			if apart := s.caught != nil; apart != tc.apart {
				t.Errorf("read apart: %t, want %t", apart, tc.apart)
			}
			h := s.finish(context.Background())
			if h.err != nil || h.sum != want || h.size != n {
				t.Fatalf("finish = %s, %d bytes, %v; want %s, %d bytes", h.sum, h.size, h.err, want, n)
			}
			// Later runs change nothing.
			s.feed(0, []byte("changed"))
			s.feed(n, []byte("more"))
			s.feed(n+10, []byte("more"))
			if h2 := s.finish(context.Background()); h2 != h {
				t.Errorf("second finish = %+v, want %+v", h2, h)
			}
		})
	}
	t.Run("several goroutines", func(t *testing.T) {
		s := newStreamHash(context.Background(), p)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				// Each goroutine reads the file in its own pieces; the
				// hash takes each byte once, in order, from whichever
				// reaches it first.
				for _, r := range chunks(0, n, 4096*(g+1)+g) {
					s.feed(r[0], data[r[0]:r[1]])
				}
			})
		}
		wg.Wait()
		if s.fed != n {
			t.Errorf("fed %d bytes in order, want %d", s.fed, n)
		}
		if h := s.finish(context.Background()); h.err != nil || h.sum != want || h.size != n {
			t.Fatalf("finish = %+v, want %s", h, want)
		}
	})
	t.Run("finish while read", func(t *testing.T) {
		// A finish between two reads hashes the rest from the disk and
		// ignores what comes after.
		s := newStreamHash(context.Background(), p)
		s.feed(0, data[:5000])
		h := s.finish(context.Background())
		s.feed(5000, data[5000:])
		if h.err != nil || h.sum != want || h.size != n {
			t.Fatalf("finish = %+v, want %s", h, want)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := newStreamHash(context.Background(), p)
		if h := s.finish(ctx); !errors.Is(h.err, context.Canceled) {
			t.Fatalf("finish of a cancelled run = %+v, want context.Canceled", h)
		}
	})
	t.Run("cancelled while read apart", func(t *testing.T) {
		// The run's end stops the reading apart; finish then reports
		// the cancellation.
		ctx, cancel := context.WithCancel(context.Background())
		s := newStreamHash(ctx, p)
		s.feed(n-10, data[n-10:])
		cancel()
		select {
		case <-s.caught:
		case <-time.After(10 * time.Second):
			t.Fatal("the reading apart goes on after the run's end")
		}
		if h := s.finish(ctx); !errors.Is(h.err, context.Canceled) {
			t.Fatalf("finish of a cancelled run = %+v, want context.Canceled", h)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		s := newStreamHash(context.Background(), filepath.Join(t.TempDir(), "gone.csv"))
		if h := s.finish(context.Background()); !errors.Is(h.err, os.ErrNotExist) || h.sum != "" {
			t.Fatalf("finish of a missing file = %+v, want os.ErrNotExist", h)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		q := filepath.Join(t.TempDir(), "empty.csv")
		writeFile(t, q, nil)
		if h := newStreamHash(context.Background(), q).finish(context.Background()); h.err != nil || h.sum != sumOf(nil) || h.size != 0 {
			t.Fatalf("finish of an empty file = %+v", h)
		}
	})
}

// longCSV is a long table of n precincts that spans many blocks of the
// CSV reader.
func longCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("precinct_id,district,party,votes,registered,ballots_cast,invalid\n")
	for i := range n {
		for j, party := range []string{"Nur Otan", "Ak Zhol", "Auyl", "Adal"} {
			fmt.Fprintf(&b, "%d,District %d,%s,%d,1000,%d,%d\n", i+1, i%17, party, 100+j*7+i%13, 400+4*(j*7+i%13), i%3)
		}
	}
	return b.Bytes()
}

func gzipped(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipped(t *testing.T, name string, data []byte, method uint16) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// runHashedBothWays runs spec twice, hashing its inputs from the bytes the sources
// read and then separately, and requires byte-identical manifests and
// Parquet files, and the sha256 of every input file.
func runHashedBothWays(t *testing.T, spec *Spec) map[string]*streamHash {
	t.Helper()
	var tees teeHashes
	teesMade = func(t teeHashes) { tees = t }
	defer func() { teesMade = nil }()
	var manifests [2][]byte
	var outs [2]string
	for i, fromReads := range []bool{true, false} {
		hashFromReads = fromReads
		out := t.TempDir()
		sum, err := Run(context.Background(), spec, Options{Write: true, Force: true, OutDir: out, Formats: []string{"parquet", "csv"}, Version: "test"})
		hashFromReads = true
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sum.Sources {
			data, err := os.ReadFile(st.Path)
			if err != nil {
				t.Fatal(err)
			}
			if st.SHA256 != sumOf(data) || st.Bytes != int64(len(data)) {
				t.Errorf("from reads %t: %s: sha256 %s, %d bytes; want %s, %d bytes", fromReads, st.Name, st.SHA256, st.Bytes, sumOf(data), len(data))
			}
		}
		if manifests[i], err = os.ReadFile(filepath.Join(out, "datapackage.json")); err != nil {
			t.Fatal(err)
		}
		outs[i] = out
	}
	if !bytes.Equal(manifests[0], manifests[1]) {
		t.Errorf("manifests differ:\n%s\n%s", manifests[0], manifests[1])
	}
	files, _ := filepath.Glob(filepath.Join(outs[0], "*.parquet"))
	if len(files) == 0 {
		t.Fatal("no Parquet files written")
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, _ := os.ReadFile(filepath.Join(outs[1], filepath.Base(f)))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs", filepath.Base(f))
		}
	}
	if len(tees) == 0 {
		t.Fatal("the inputs were not hashed from the reads")
	}
	return tees
}

// teeSpec writes a spec of six sources in a temporary folder: a long CSV
// of many blocks, its .gz, a deflated and a stored zip of it, the CSV
// again, and a small workbook.
func teeSpec(t *testing.T) (*Spec, string) {
	t.Helper()
	dir := t.TempDir()
	data := longCSV(3000)
	writeFile(t, filepath.Join(dir, "long.csv"), data)
	writeFile(t, filepath.Join(dir, "long.csv.gz"), gzipped(t, data))
	writeFile(t, filepath.Join(dir, "deflated.zip"), zipped(t, "long.csv", data, zip.Deflate))
	writeFile(t, filepath.Join(dir, "stored.zip"), zipped(t, "long.csv", data, zip.Store))
	xlsx, err := os.ReadFile(filepath.Join(kzDir, "protocol-wide.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "wide.xlsx"), xlsx)
	long := `
    layout: long
    unit_level: precinct
    contest: %s
    columns: {unit_id: precinct_id, parent: district, option: party, votes: votes, registered: registered, ballots_cast: ballots_cast, invalid: invalid}`
	var srcs []string
	for i, p := range []string{"long.csv", "long.csv.gz", "deflated.zip", "stored.zip", "long.csv"} {
		srcs = append(srcs, "  - path: "+p+fmt.Sprintf(long, fmt.Sprintf("c%d", i)))
	}
	srcs = append(srcs, "  - path: wide.xlsx\n    layout: wide\n    unit_level: nation\n    contest: kz\n    unit: {id: KZ, name: Republic of Kazakhstan}")
	var contests []string
	for _, c := range []string{"c0", "c1", "c2", "c3", "c4", "kz"} {
		contests = append(contests, fmt.Sprintf("  - {id: %s, seats: 98, method: hare}", c))
	}
	yaml := "election: {id: tee-test}\ncontests:\n" + strings.Join(contests, "\n") +
		"\nparties:\n  - {id: nur-otan, name: Nur Otan, aliases: [\"Нұр Отан\"]}\n  - {id: ak-zhol, name: Ak Zhol, aliases: [\"Ақ жол\"]}\n" +
		"  - {id: auyl, name: Auyl, aliases: [\"Ауыл\"]}\n  - {id: adal, name: Adal, aliases: [\"Адал\"]}\n" +
		"  - {id: peoples-party, name: People's Party of Kazakhstan, aliases: [\"Қазақстан халық партиясы\"]}\n" +
		"sources:\n" + strings.Join(srcs, "\n") + "\n"
	specPath := filepath.Join(dir, "spec.yaml")
	writeFile(t, specPath, []byte(yaml))
	spec, err := LoadSpec(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return spec, dir
}

// A run that hashes its inputs from the bytes its sources read records
// the same hashes, manifest and files as one that hashes them apart; and
// a plain file or a .gz is read from the disk once.
func TestTeeHashMultiSource(t *testing.T) {
	spec, dir := teeSpec(t)
	tees := runHashedBothWays(t, spec)
	if len(tees) != 5 {
		t.Errorf("%d stream hashes, want one per file (5)", len(tees))
	}
	for _, tc := range []struct {
		name  string
		apart bool // a zip is read at random, from its directory at the end
	}{
		{"long.csv", false}, {"long.csv.gz", false}, {"stored.zip", true},
	} {
		s := tees[filepath.Join(dir, tc.name)]
		fi, _ := os.Stat(s.path)
		if apart := s.caught != nil; apart != tc.apart {
			t.Errorf("%s: read apart: %t, want %t", tc.name, apart, tc.apart)
		}
		if !tc.apart && s.fed != fi.Size() {
			t.Errorf("%s: %d of %d bytes hashed from the reads; want all", tc.name, s.fed, fi.Size())
		}
	}
}

// Every spec in the repository's testdata records the same manifest
// whether its inputs are hashed from the reads or apart.
func TestTeeHashTestdata(t *testing.T) {
	specs, _ := filepath.Glob(filepath.Join(kzDir, "*.yaml"))
	if testing.Short() {
		t.Log("-short: only testdata/kz-2021")
	} else if _, err := os.Stat(realDir); err == nil {
		real, _ := filepath.Glob(filepath.Join("..", "testdata", "real", "*.yaml"))
		specs = append(specs, real...)
	} else {
		t.Logf("published result files not found at %s; only testdata/kz-2021", realDir)
	}
	n := 0
	for _, p := range specs {
		if strings.HasSuffix(p, ".known.yaml") {
			continue // a ledger, not a spec
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) {
			spec, err := LoadSpec(p)
			if err != nil {
				t.Fatal(err)
			}
			runHashedBothWays(t, spec)
		})
	}
	if n < 2 {
		t.Fatalf("%d specs found", n)
	}
}

// cancelAt cancels a run when it has read rows of the named source.
type cancelAt struct {
	noObserver
	source string
	cancel context.CancelFunc
}

func (c cancelAt) Read(source string, rows int) {
	if source == c.source {
		c.cancel()
	}
}

// A run cancelled while its inputs are hashed from the reads (a stream,
// or a workbook read apart) fails with the cancellation and leaves no
// release.
func TestTeeHashCancelled(t *testing.T) {
	spec, _ := teeSpec(t)
	for _, src := range []string{"long.csv", "stored.zip", "wide.xlsx"} {
		t.Run(src, func(t *testing.T) {
			var tees teeHashes
			teesMade = func(t teeHashes) { tees = t }
			defer func() { teesMade = nil }()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := filepath.Join(t.TempDir(), "out")
			_, err := Run(ctx, spec, Options{Write: true, Force: true, OutDir: out, Formats: []string{"parquet"}, BatchRows: 500,
				Observer: cancelAt{source: src, cancel: cancel}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want context.Canceled", err)
			}
			if hasRelease(out) {
				t.Error("a cancelled run left a release")
			}
			for p, s := range tees {
				if s.caught == nil {
					continue
				}
				select {
				case <-s.caught:
				case <-time.After(10 * time.Second):
					t.Errorf("%s: the reading apart goes on after the run", p)
				}
			}
		})
	}
}
