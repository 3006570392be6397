package report

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"unsafe"
)

// randomFindings makes findings with many ties in every field of the
// order, and some that differ only in what the order does not look at.
func randomFindings(n int, seed uint64) []Finding {
	rng := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	fs := make([]Finding, n)
	for i := range fs {
		f := Finding{
			Severity: Severity(rng.IntN(3)),
			Code:     Code(pick("votes-sum-mismatch", "cast-over-registered", "unknown-option")),
			Message:  pick("a", "b", "ab", ""),
			UnitID:   pick("", "u1", "u2"),
			OptionID: pick("", "o1"),
			Expected: fmt.Sprint(i),
			Actual:   pick("x", "y", "é"),
		}
		if rng.IntN(10) > 0 {
			f.Pos = Position{File: pick("a.csv", "b.csv"), Sheet: pick("", "S"), Row: rng.IntN(50) - 1, Column: rng.IntN(4), Header: pick("", "h")}
		}
		fs[i] = f
	}
	return fs
}

func sortedFindings(fs []Finding) []Finding {
	out := slices.Clone(fs)
	sort.SliceStable(out, func(i, j int) bool { return lessFinding(out[i], out[j]) })
	return out
}

// The findings and rejects read back from sorted runs in a temporary
// file come in the order of the ones kept in memory: lessFinding's, ties
// in the order added; rejects by position, ties in the order added.
func TestRecorderSpillSameOrder(t *testing.T) {
	fs := randomFindings(20000, 7)
	before := SpilledRuns()
	for _, limit := range []int{0, 1, 300, 4096} {
		r := &Recorder{SpillBytes: limit}
		for i, f := range fs {
			r.Add(f)
			r.Reject(f.Pos, []string{f.Message, fmt.Sprint(i)}, f.UnitID)
		}
		if limit == 1 && len(r.findings.runs) > 3*fanIn {
			t.Errorf("%d runs: the runs of one level are not merged", len(r.findings.runs))
		}
		want := sortedFindings(fs)
		// Read twice: a recorder can be read again.
		for pass := range 2 {
			got := r.Findings()
			if len(got) != len(want) {
				t.Fatalf("limit %d: %d findings, want %d", limit, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("limit %d pass %d: finding %d = %+v, want %+v", limit, pass, i, got[i], want[i])
				}
			}
		}
		rj := r.Rejects()
		if len(rj) != len(fs) {
			t.Fatalf("limit %d: %d rejects, want %d", limit, len(rj), len(fs))
		}
		idx := make([]int, len(fs))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return lessPos(fs[idx[i]].Pos, fs[idx[j]].Pos) })
		for i, k := range idx {
			if rj[i].Pos != fs[k].Pos || rj[i].Raw[1] != fmt.Sprint(k) || rj[i].Reason != fs[k].UnitID {
				t.Fatalf("limit %d: reject %d = %+v, want row of finding %d %+v", limit, i, rj[i], k, fs[k].Pos)
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if SpilledRuns() == before {
		t.Fatal("no run was spilled; the test does not test the files")
	}
}

// Findings added after the recorder was read keep their place.
func TestRecorderAddAfterRead(t *testing.T) {
	fs := randomFindings(3000, 3)
	for _, limit := range []int{0, 2000} {
		r := &Recorder{SpillBytes: limit}
		for _, f := range fs[:2000] {
			r.Add(f)
		}
		r.Findings()
		for _, f := range fs[2000:] {
			r.Add(f)
		}
		got, want := r.Findings(), sortedFindings(fs)
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: order differs after adding to a recorder read once", limit)
		}
		if r.Count(Info) != len(fs) || r.FindingCount() != len(fs) {
			t.Errorf("limit %d: counts %d, %d, want %d", limit, r.Count(Info), r.FindingCount(), len(fs))
		}
		r.Close()
	}
}

// The memory findings take does not grow with their number once they
// spill: ten times the findings, about the same heap, while they are
// added and while they are read back.
func TestRecorderMemoryBounded(t *testing.T) {
	inUse := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	heap := func(n int) (added, reading uint64) {
		r := &Recorder{SpillBytes: 64 << 10}
		defer r.Close()
		m0 := inUse()
		for i := range n {
			r.Add(Finding{Severity: Error, Code: VotesSumMismatch, Pos: Position{File: "data.csv", Row: n - i, Column: 3},
				UnitID: fmt.Sprintf("unit-%d", i), Message: fmt.Sprintf("the options' votes add up to %d, not %d", i, i+1), Expected: "1", Actual: "2"})
			r.Reject(Position{File: "data.csv", Row: n - i}, []string{"a", "b", fmt.Sprint(i)}, "bad number")
		}
		added = inUse() - min(inUse(), m0)
		k := 0
		r.EachReject(func(*Reject) error {
			if k++; k == n/2 {
				reading = inUse() - min(inUse(), m0)
			}
			return nil
		})
		if k != n || r.FindingCount() != n {
			t.Fatalf("%d rejects, %d findings, want %d", k, r.FindingCount(), n)
		}
		return added, reading
	}
	smallAdd, smallRead := heap(20000)
	largeAdd, largeRead := heap(200000)
	// In memory, 200,000 findings and rejects take some 40 MB.
	if largeAdd > smallAdd+1<<20 || largeAdd > 2<<20 {
		t.Errorf("heap after adding 200,000 findings %d bytes, after 20,000 %d: grows with the findings", largeAdd, smallAdd)
	}
	if largeRead > smallRead+1<<20 || largeRead > 2<<20 {
		t.Errorf("heap reading 200,000 rejects %d bytes, 20,000 %d: grows with the rejects", largeRead, smallRead)
	}
}

// Two findings at one cell, one that knows the column's header and one
// that does not, are ordered by code whatever the order they came in:
// the header is not part of a position's identity.
func TestRecorderOrderIgnoresHeader(t *testing.T) {
	a := Finding{Severity: Error, Code: VotesSumMismatch, Pos: Position{File: "d.csv", Row: 3, Column: 2, Header: "Valid"}}
	b := Finding{Severity: Error, Code: HierarchyMismatch, Pos: Position{File: "d.csv", Row: 3, Column: 2}}
	for _, in := range [][]Finding{{a, b}, {b, a}} {
		var r Recorder
		for _, f := range in {
			r.Add(f)
		}
		got := r.Findings()
		if got[0].Code != HierarchyMismatch || got[1].Code != VotesSumMismatch || got[1].Pos.Header != "Valid" {
			t.Errorf("added %s, %s: read %s, %s", in[0].Code, in[1].Code, got[0].Code, got[1].Code)
		}
	}
}

// Findings added in their order (a source read from top to bottom) make
// one run in the temporary file, however many times they spill, and
// read back in order; findings added out of order after them, or among
// them, still take their places.
func TestRecorderInOrderOneRun(t *testing.T) {
	fs := sortedFindings(randomFindings(5000, 11))
	for _, limit := range []int{1, 300, 4096} {
		r := &Recorder{SpillBytes: limit}
		for _, f := range fs {
			r.Add(f)
		}
		if n := len(r.findings.runs); n != 1 {
			t.Errorf("limit %d: findings added in order make %d runs, want 1", limit, n)
		}
		if got := r.Findings(); !slices.Equal(got, fs) {
			t.Fatalf("limit %d: findings added in order read back in another order", limit)
		}
		// Some out of order: a finding of the first rows again, then
		// more in order.
		more := randomFindings(3000, 12)
		all := slices.Clone(fs)
		for i, f := range more {
			if i%500 == 0 {
				f = fs[i]
				f.Message += " again"
			}
			r.Add(f)
			all = append(all, f)
		}
		if got, want := r.Findings(), sortedFindings(all); !slices.Equal(got, want) {
			t.Errorf("limit %d: findings added out of order after ones in order read back in another order", limit)
		}
		r.Close()
	}
	// The second half, then the first, then some of the second again:
	// the last ones follow the last run, not the one before it.
	halves := slices.Concat(fs[2500:], fs[:2500], fs[2600:2610])
	r := &Recorder{SpillBytes: 4096}
	for _, f := range halves {
		r.Add(f)
	}
	if got, want := r.Findings(), sortedFindings(halves); !slices.Equal(got, want) {
		t.Errorf("findings added in two runs in order read back in another order")
	}
	r.Close()
	// Every record out of order but the spilled runs each in order.
	rev := slices.Clone(fs)
	slices.Reverse(rev)
	r = &Recorder{SpillBytes: 4096}
	for _, f := range rev {
		r.Add(f)
	}
	if got, want := r.Findings(), sortedFindings(rev); !slices.Equal(got, want) {
		t.Errorf("findings added in reverse order read back in another order")
	}
	r.Close()
}

// The decoder gives repeated names and counts as one string, and keeps
// a bounded number of them: more distinct files, headers, options and
// counts than it keeps still read back as added.
func TestRecorderManyNames(t *testing.T) {
	var fs []Finding
	for i := range 3 * maxNames {
		s := fmt.Sprint(i)
		fs = append(fs, Finding{Severity: Warning, Code: Code("code-" + s), UnitID: "u" + s, OptionID: "o" + s,
			Pos: Position{File: "f" + s + ".csv", Sheet: "S" + s, Row: 1, Column: 2, Header: "h" + s}, Expected: s, Actual: s + "0"})
	}
	r := &Recorder{SpillBytes: 64 << 10}
	defer r.Close()
	for _, f := range fs {
		r.Add(f)
	}
	if got, want := r.Findings(), sortedFindings(fs); !slices.Equal(got, want) {
		t.Fatal("findings with many distinct names read back changed")
	}
	got := r.Findings()
	if a, b := got[0].Pos.File, got[len(got)-1].Pos.File; a == b {
		t.Fatalf("first and last file both %q", a)
	}
	n := 0
	r.EachFinding(func(f *Finding) error {
		n++
		return nil
	})
	if n != len(fs) {
		t.Errorf("%d findings read, want %d", n, len(fs))
	}
}

// Codes and headers that alternate read back as one string each, not a
// copy a finding.
func TestRecorderSharesRepeatedStrings(t *testing.T) {
	fs := checkFindings(50)
	r := &Recorder{}
	defer r.Close()
	for _, f := range fs {
		r.Add(f)
	}
	first := map[string]*byte{}
	same := func(what, s string) {
		if p, ok := first[what+s]; ok && p != unsafe.StringData(s) {
			t.Errorf("%s %q read back as a new copy", what, s)
		}
		first[what+s] = unsafe.StringData(s)
	}
	r.EachFinding(func(f *Finding) error {
		same("code", string(f.Code))
		same("header", f.Pos.Header)
		same("file", f.Pos.File)
		return nil
	})
}

// The counts by code count every finding, one without a code among them.
func TestRecorderCodeCounts(t *testing.T) {
	var r Recorder
	defer r.Close()
	r.Add(Finding{Severity: Warning})
	if got := r.CodeCounts(); len(got) != 1 || got[""] != 1 {
		t.Errorf("counts %v, want one finding without a code", got)
	}
	for _, f := range checkFindings(10) {
		r.Add(f)
	}
	r.Add(Finding{Severity: Info, Code: SeatsTie})
	want := map[Code]int{"": 1, VotesSumMismatch: 10, ValidInvalidMismatch: 10, SeatsTie: 1}
	if got := r.CodeCounts(); !maps.Equal(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
}

// The encoded fields read back as written, short ones (read inline) and
// long ones alike; a record cut short reads as empty fields.
func TestFieldsRoundTrip(t *testing.T) {
	for _, v := range []int{0, 1, -1, 63, -64, 64, -65, 127, 128, 1 << 20, -1 << 40, math.MaxInt64, math.MinInt64} {
		b := putInt(nil, v)
		if got, rest := getInt(append(b, 7)); got != v || len(rest) != 1 {
			t.Errorf("int %d read as %d, rest %v", v, got, rest)
		}
		if v >= 0 {
			if got, rest := getUint(append(putUint(nil, uint64(v)), 7)); got != uint64(v) || len(rest) != 1 {
				t.Errorf("uint %d read as %d, rest %v", v, got, rest)
			}
		}
	}
	for _, n := range []int{0, 1, 126, 127, 128, 300} {
		s := strings.Repeat("x", n)
		b := putStr(nil, s)
		if got, rest := getStr(append(b, 7)); string(got) != s || len(rest) != 1 {
			t.Errorf("string of %d read as %d bytes, rest %v", n, len(got), rest)
		}
		if got, rest := getStr(b[:len(b)-1]); n > 0 && (got != nil || rest != nil) {
			t.Errorf("string of %d cut short read as %q, rest %v", n, got, rest)
		}
	}
}

// Add copies the texts of a finding: written in a buffer that is then
// overwritten, they read back as they were, with or without an accept
// function, in memory or spilled.
func TestRecorderCopiesTexts(t *testing.T) {
	for _, limit := range []int{0, 1} {
		for _, accept := range []bool{false, true} {
			r := &Recorder{SpillBytes: limit}
			if accept {
				r.SetAccept(func(f *Finding) {
					if f.Expected == "7" {
						f.Severity = Info
					}
				})
			}
			var want []Finding
			buf := make([]byte, 0, 64)
			for i := range 50 {
				b := fmt.Appendf(buf[:0], "unit u%d fails", i)
				m := len(b)
				b = fmt.Appendf(b, "%d", i%10)
				e := len(b)
				b = append(b, "u"...)
				b = fmt.Appendf(b, "%d", i)
				f := Finding{Severity: Error, Code: VotesSumMismatch, Pos: Position{File: "d.csv", Row: i + 2, Column: 3},
					Message: Text(b[:m]), Expected: Text(b[m:e]), UnitID: Text(b[e:]), Actual: Text(b[m:e])}
				r.Add(f)
				w := Finding{Severity: f.Severity, Code: f.Code, Pos: f.Pos,
					Message: string(b[:m]), Expected: string(b[m:e]), UnitID: string(b[e:]), Actual: string(b[m:e])}
				if accept && w.Expected == "7" {
					w.Severity = Info
				}
				want = append(want, w)
				for k := range b[:cap(b)] {
					b[:cap(b)][k] = '#'
				}
			}
			if got := r.Findings(); !slices.Equal(got, want) {
				t.Errorf("limit %d, accept %v: texts written in a reused buffer read back changed:\n%v\nwant\n%v", limit, accept, got[:2], want[:2])
			}
			r.Close()
		}
	}
}
