package pipeline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"tally/internal/testkit"
	"tally/report"
)

// withSpill runs fn with the memory bound of the unit logs set to n bytes.
func withSpill(n int, fn func()) {
	old := spillBytes
	spillBytes = n
	defer func() { spillBytes = old }()
	fn()
}

// withRuns runs fn with the bound of the runs of children set to n bytes
// (0: the children are always sorted by parent).
func withRuns(n int, fn func()) {
	old := runBytes
	runBytes = n
	defer func() { runBytes = old }()
	fn()
}

// withBytewise runs fn with the ids always read in bytewise order.
func withBytewise(fn func()) {
	naturalIDs = false
	defer func() { naturalIDs = true }()
	fn()
}

// testRec is a record for the log tests: a key, then the record's number.
func testRec(key string, i int) []byte {
	b := appendStr(nil, key)
	return binary.AppendUvarint(b, uint64(i))
}

func testRecNum(b []byte) int {
	r := recReader{b: b}
	r.str()
	return int(r.uvarint())
}

func testKey(b []byte) []byte {
	r := recReader{b: b}
	return r.str()
}

// Sorting a log gives the records a stable sort gives, whether the log
// fits in memory or is spilled and sorted by runs merged from a file; and
// a sorted sequence reads again from any place in it.
func TestSortLogIsStableAtAnyBound(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		keys := rapid.SliceOfN(rapid.StringMatching(`[a-d0-2]{0,3}`), 0, 300).Draw(t, "keys")
		bound := rapid.SampledFrom([]int{1, 16, 100, 1000, 1 << 20}).Draw(t, "bound")
		o := rapid.SampledFrom([]keyOrder{bytewise, natural}).Draw(t, "order")
		skip := rapid.IntRange(2, 5).Draw(t, "skip")
		withSpill(bound, func() {
			before := spilled.Load()
			l := &recLog{}
			defer l.release()
			type kr struct {
				key string
				i   int
			}
			var want []kr
			for i, k := range keys {
				l.append(testRec(k, i))
				if i%skip != 0 {
					want = append(want, kr{k, i})
				}
			}
			if total := l.size; (total > int64(bound)) != (spilled.Load() > before) {
				t.Fatalf("%d bytes with a bound of %d: spilled %v", total, bound, spilled.Load() > before)
			}
			slices.SortStableFunc(want, func(a, b kr) int { return o.compare([]byte(a.key), []byte(b.key)) })
			q, err := sortLog(l, testKey, func(b []byte) bool { return testRecNum(b)%skip != 0 }, o)
			if err != nil {
				t.Fatal(err)
			}
			defer q.release()
			if q.n != len(want) {
				t.Fatalf("%d records sorted, want %d", q.n, len(want))
			}
			r := q.reader(seqPos{})
			var marks []seqPos
			for j := 0; ; j++ {
				marks = append(marks, r.pos())
				b, ok := r.next()
				if !ok {
					if j != len(want) {
						t.Fatalf("read %d records, want %d (err %v)", j, len(want), r.err())
					}
					break
				}
				if got := (kr{string(testKey(b)), testRecNum(b)}); got != want[j] {
					t.Fatalf("record %d is %v, want %v", j, got, want[j])
				}
			}
			if len(want) > 0 {
				j := rapid.IntRange(0, len(want)-1).Draw(t, "from")
				r.seek(q, marks[j])
				b, ok := r.next()
				if !ok || testRecNum(b) != want[j].i {
					t.Fatalf("reading again from record %d: %v %v", j, ok, r.err())
				}
			}
		})
	})
}

// A store reads its units by id in the order its ids came in (bytewise,
// else natural), else sorted bytewise, stably: the same whether its log
// stays in memory or is sorted by sections as it is written, whatever the
// size of the sections; and the sequence reads again from any place.
func TestByIDAtAnyBound(t *testing.T) {
	before := sortedSections.Load()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 400).Draw(t, "units")
		ids := rapid.SliceOfN(rapid.StringMatching(`[ab]?/?[0-9]{0,3}`), n, n).Draw(t, "ids")
		nat := func(a, b string) int { return naturalCompare([]byte(a), []byte(b)) }
		h := rapid.IntRange(0, n).Draw(t, "half")
		switch rapid.IntRange(0, 5).Draw(t, "order of the ids") {
		case 1:
			slices.Sort(ids)
		case 2:
			slices.SortFunc(ids, nat)
		case 3: // in one order, then the other
			slices.Sort(ids[:h])
			slices.SortFunc(ids[h:], nat)
			if rapid.Bool().Draw(t, "swap") {
				slices.SortFunc(ids[:h], nat)
				slices.Sort(ids[h:])
			}
		case 4: // in natural order but for two ids
			slices.SortFunc(ids, nat)
			if h+1 < n {
				ids[h], ids[h+1] = ids[h+1], ids[h]
			}
		case 5: // numbers: under 100 in bytewise order, then more in natural order
			for i := range ids {
				ids[i] = fmt.Sprint(rapid.IntRange(0, 99).Draw(t, "number"))
				if i >= h {
					ids[i] = fmt.Sprint(rapid.IntRange(100, 999).Draw(t, "number"))
				}
			}
			slices.Sort(ids[:h])
			slices.SortFunc(ids[h:], nat)
		}
		bound := rapid.SampledFrom([]int{1, 64, 300, 1000, 4000, 1 << 20}).Draw(t, "bound")
		withSpill(bound, func() {
			var s unitStore
			defer s.release()
			for i, id := range ids {
				s.keep(&unitBuf{id: id, level: "precinct", pos: report.Position{File: "f.csv", Row: i + 2}}, 0)
			}
			order := bytewise
			if !slices.IsSorted(ids) && slices.IsSortedFunc(ids, nat) {
				order = natural
			}
			type unit struct {
				id  string
				seq int
			}
			want := make([]unit, len(ids))
			for i, id := range ids {
				want[i] = unit{id, i}
			}
			slices.SortStableFunc(want, func(a, b unit) int { return order.compare([]byte(a.id), []byte(b.id)) })
			q, err := s.byID()
			if err != nil {
				t.Fatal(err)
			}
			defer q.release()
			if s.order != order {
				t.Fatalf("order %d, want %d", s.order, order)
			}
			got := []unit{}
			var u urec
			r := q.reader(seqPos{})
			var marks []seqPos
			for {
				marks = append(marks, r.pos())
				b, ok := r.next()
				if !ok {
					break
				}
				s.decode(b, &u)
				got = append(got, unit{string(u.id), u.seq})
			}
			if err := r.err(); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got, cmp.AllowUnexported(unit{})); d != "" {
				t.Fatalf("units by id (-want +got):\n%s", d)
			}
			if len(want) > 0 {
				j := rapid.IntRange(0, len(want)-1).Draw(t, "from")
				r.seek(q, marks[j])
				b, ok := r.next()
				if !ok {
					t.Fatalf("reading again from unit %d: %v", j, r.err())
				}
				s.decode(b, &u)
				if (unit{string(u.id), u.seq}) != want[j] {
					t.Fatalf("reading again from unit %d: %s %d, want %v", j, u.id, u.seq, want[j])
				}
			}
		})
	})
	if sortedSections.Load() == before {
		t.Error("no section was sorted while the units were kept")
	}
}

// Natural order puts numbers in order ("d2/9" before "d2/10"), and is a
// total order in which only equal ids compare equal, as sorting and
// merging need.
func TestNaturalOrder(t *testing.T) {
	in := []string{"d2/10", "", "10", "9", "d10/1", "d2/9", "a", "007", "7", "d2/09", "-", "d2/", "d2/9a"}
	want := []string{"", "-", "007", "7", "9", "10", "a", "d2/", "d2/09", "d2/9", "d2/9a", "d2/10", "d10/1"}
	slices.SortFunc(in, func(a, b string) int { return naturalCompare([]byte(a), []byte(b)) })
	if d := cmp.Diff(want, in); d != "" {
		t.Errorf("natural order (-want +got):\n%s", d)
	}
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.StringMatching(`[0-9/a]{0,5}`)
		a, b, c := []byte(id.Draw(t, "a")), []byte(id.Draw(t, "b")), []byte(id.Draw(t, "c"))
		ab, ba := naturalCompare(a, b), naturalCompare(b, a)
		if ab != -ba || (ab == 0) != bytes.Equal(a, b) {
			t.Fatalf("%q and %q compare %d and %d", a, b, ab, ba)
		}
		if ab <= 0 && naturalCompare(b, c) <= 0 && naturalCompare(a, c) > 0 {
			t.Fatalf("%q <= %q <= %q but %q > %q", a, b, c, a, c)
		}
	})
}

// runBoth runs a spec with the unit logs in memory and with a bound of a
// few records, so that every log goes to a file and every sort merges
// runs; the findings must be the same.
func runBoth(t *testing.T, path string) (inMemory []report.Finding) {
	t.Helper()
	var mem, spill, sorted *Summary
	mem = runSpec(t, path, false)
	withSpill(256, func() { spill = runSpec(t, path, false) })
	if d := cmp.Diff(findingsOf(mem), findingsOf(spill)); d != "" {
		t.Errorf("%s: findings differ with the units in files (-memory +files):\n%s", path, d)
	}
	// And with the children always sorted by parent, never read in runs.
	withRuns(0, func() { withSpill(256, func() { sorted = runSpec(t, path, false) }) })
	if d := cmp.Diff(findingsOf(mem), findingsOf(sorted)); d != "" {
		t.Errorf("%s: findings differ with the units in files and the children sorted (-memory +files):\n%s", path, d)
	}
	return findingsOf(mem)
}

// The cross-unit checks find the same things, word for word and at the
// same places, whether their units stay in memory or go to files: on the
// published files when they are there, on the project's own specs, and
// on generated tables.
func TestSpilledUnitsGiveSameFindings(t *testing.T) {
	specs, _ := filepath.Glob("../testdata/kz-2021/*.yaml")
	if _, err := os.Stat(realDir); err == nil {
		real, _ := filepath.Glob("../testdata/real/*.yaml")
		for _, p := range real {
			if !strings.HasSuffix(p, ".known.yaml") {
				specs = append(specs, p)
			}
		}
	}
	dir := t.TempDir()
	csv, _, err := testkit.WideCSV(dir, 3000, 7)
	if err != nil {
		t.Fatal(err)
	}
	corruptWide(t, csv)
	wide, err := testkit.WideSpec(dir, csv)
	if err != nil {
		t.Fatal(err)
	}
	ldir := filepath.Join(dir, "long")
	if err := os.Mkdir(ldir, 0o755); err != nil {
		t.Fatal(err)
	}
	lcsv, _, err := testkit.LongCSV(ldir, 20000, 7)
	if err != nil {
		t.Fatal(err)
	}
	long, err := testkit.LongSpec(ldir, lcsv)
	if err != nil {
		t.Fatal(err)
	}
	specs = append(specs, wide, long)
	n := 0
	before := spilled.Load()
	for _, p := range specs {
		t.Run(filepath.Base(p), func(t *testing.T) { n += len(runBoth(t, p)) })
	}
	if n == 0 || spilled.Load() == before {
		t.Errorf("%d findings in %d specs, %d logs in files: the comparison proves nothing", n, len(specs), spilled.Load()-before)
	}
}

// corruptWide appends to a generated wide table a unit copied, a unit
// again with another figure, a unit under another district, and a unit
// with no figures, so that the cross-unit checks have something to find.
func corruptWide(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	changed := strings.Split(lines[3], ",")
	changed[len(changed)-1] = "999"
	moved := strings.Split(lines[4], ",")
	moved[2] = "Elsewhere"
	empty := strings.Split(lines[5], ",")
	for i := 4; i < len(empty); i++ {
		empty[i] = "-"
	}
	empty[3] = "9999999"
	lines = append(lines, lines[2], strings.Join(changed, ","), strings.Join(moved, ","), strings.Join(empty, ","))
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Generated tables with units repeated, moved, emptied, subtotalled and
// totalled, and a reference that lists some of them: the findings are the
// same with the units in memory and in files.
func TestSpilledUnitsGiveSameFindingsGenerated(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		nunits := rapid.IntRange(1, 40).Draw(rt, "units")
		ids := []string{}
		for i := range rapid.IntRange(1, nunits).Draw(rt, "ids") {
			ids = append(ids, fmt.Sprintf("u%d", i))
		}
		cell := func(label string) string {
			if rapid.IntRange(0, 9).Draw(rt, label+"-empty") == 0 {
				return "-"
			}
			return fmt.Sprint(rapid.IntRange(0, 60).Draw(rt, label))
		}
		row := func(id, name, parent string) string {
			return strings.Join([]string{id, name, parent, cell("reg"), cell("cast"), cell("inv"), cell("valid"), cell("a"), cell("b")}, ";")
		}
		lines := []string{"Nr;Name;Parent unit id;Registered;Ballots cast;Invalid;Valid;A;B"}
		var refLines []string
		for range nunits {
			id := rapid.SampledFrom(ids).Draw(rt, "id")
			parent := ""
			if rapid.Bool().Draw(rt, "has parent") {
				parent = rapid.SampledFrom(ids).Draw(rt, "parent")
			}
			name := ""
			switch rapid.IntRange(0, 9).Draw(rt, "kind") {
			case 0:
				name, id, parent = "TOTAL", "", ""
			case 1:
				name, id = rapid.SampledFrom(ids).Draw(rt, "named")+" Total", ""
			}
			lines = append(lines, row(id, name, parent))
			if id != "" && rapid.IntRange(0, 3).Draw(rt, "in ref") == 0 {
				refLines = append(refLines, row(id, "", parent))
			}
		}
		if rapid.Bool().Draw(rt, "grouped") {
			// As a table sorted by parent: each parent's children together.
			slices.SortStableFunc(lines[1:], func(a, b string) int {
				return strings.Compare(strings.Split(a, ";")[2], strings.Split(b, ";")[2])
			})
		}
		spec := `election: {id: gen}
sources:
  - path: h.csv
    columns: {unit_id: Nr, unit_name: Name, parent: Parent unit id}
`
		files := map[string]string{"h.csv": strings.Join(lines, "\n") + "\n"}
		if len(refLines) > 0 {
			if rapid.Bool().Draw(rt, "reference total") {
				refLines = append(refLines, row("", "TOTAL", ""))
			}
			spec += "  - path: ref.csv\n    columns: {unit_id: Nr, unit_name: Name, parent: Parent unit id}\n    reference: true\n"
			files["ref.csv"] = lines[0] + "\n" + strings.Join(refLines, "\n") + "\n"
		}
		dir, err := os.MkdirTemp("", "tally-spill")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		files["spec.yaml"] = spec
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				rt.Fatal(err)
			}
		}
		sp, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
		if err != nil {
			rt.Fatal(err)
		}
		mem, err := Run(t.Context(), sp, Options{})
		if err != nil {
			rt.Fatalf("Run: %v", err)
		}
		for _, runs := range []int{runBytes, 0} {
			var spill *Summary
			withRuns(runs, func() { withSpill(1, func() { spill, err = Run(t.Context(), sp, Options{}) }) })
			if err != nil {
				rt.Fatalf("Run with the units in files: %v", err)
			}
			if d := cmp.Diff(findingsOf(mem), findingsOf(spill)); d != "" {
				rt.Fatalf("findings differ with the units in files, runs of %d bytes (-memory +files):\n%s\n%s", runs, d, files["h.csv"])
			}
		}
		// The ids in bytewise order only, never in natural order.
		for _, bound := range []int{spillBytes, 1} {
			var bw *Summary
			withBytewise(func() { withSpill(bound, func() { bw, err = Run(t.Context(), sp, Options{}) }) })
			if err != nil {
				rt.Fatalf("Run with the ids in bytewise order: %v", err)
			}
			if d := cmp.Diff(findingsOf(mem), findingsOf(bw)); d != "" {
				rt.Fatalf("findings differ with the ids in bytewise order, bound %d (-chosen order +bytewise):\n%s\n%s", bound, d, files["h.csv"])
			}
		}
	})
}

// Unit records read back as they were kept, cells and all.
func TestUnitRecordRoundTrip(t *testing.T) {
	var s unitStore
	u := &unitBuf{id: "r1/d2", parent: "r1", level: "district", name: "D2", pos: report.Position{File: "f.csv", Row: 7}}
	u.fig[FigValid] = figure{v: some(100), pos: report.Position{File: "f.csv", Row: 7, Column: 4}}
	u.results = []resRow{
		{opt: &optEntry{Option: Option{ID: "a"}, no: 0}, votes: some(-3), row: 7, col: 4},
		{opt: &optEntry{Option: Option{ID: "b"}, no: 1, idNo: 1}, votes: some(1 << 40), row: 8, col: 4},
	}
	s.keep(u, 0)
	s.keep(&unitBuf{id: "t", level: LevelTotal, name: "TOTAL", pos: report.Position{File: "f.csv", Row: 9}}, 0)
	var got urec
	r := s.all().reader(seqPos{})
	b, _ := r.next()
	s.decode(b, &got)
	if string(got.id) != "r1/d2" || string(got.parent) != "r1" || s.lvl(&got) != "district" || got.seq != 0 || len(got.name) != 0 {
		t.Errorf("decoded %+v", got)
	}
	nf := int(numFigures)
	if got.val(int(FigValid)) != 100 || got.val(nf) != -3 || got.val(nf+1) != 1<<40 || got.val(int(FigCast)) != absent || got.val(99) != absent {
		t.Errorf("values %v", got.vals)
	}
	if got.sumDiff != sumDiffLarge {
		t.Errorf("sumDiff %d", got.sumDiff)
	}
	if p := s.pos(&got, nf+1); p.Row != 8 || p.Column != 5 {
		t.Errorf("position of b: %v", p)
	}
	if p := s.pos(&got, int(FigCast)); p.Row != 7 || p.Column != 0 {
		t.Errorf("position of a value it lacks: %v", p)
	}
	b, _ = r.next()
	s.decode(b, &got)
	if got.seq != 1 || string(got.name) != "TOTAL" || len(s.totals) != 1 || !bytes.Equal(s.totals[0], b) {
		t.Errorf("total row %+v; totals %d", got, len(s.totals))
	}
	if !noValues(b) {
		t.Error("a total row with no figure has values")
	}
	if _, ok := r.next(); ok {
		t.Error("a third record")
	}
	r = s.all().reader(seqPos{})
	if b, _ = r.next(); noValues(b) {
		t.Error("a unit with values has none")
	}
}

// BenchmarkCrossChecks runs the cross-unit checks on a contest of
// polling stations (a dozen options each), with a memory bound of 1 MB so
// that units go to files and sorts merge runs, as a million stations do
// with the default bound. The ids are "district/number", numbered in
// order: order=grouped has 200 stations to a district, one district after
// another; order=runs has them as the wide benchmark file does, in runs of
// 60 stations of a district, each district's three runs far apart, so
// that the ids are in no order. cpu-ns/op is the CPU time of the checks
// alone.
func BenchmarkCrossChecks(b *testing.B) {
	const n = 200_000
	for _, order := range []string{"grouped", "runs"} {
		b.Run(fmt.Sprintf("units=%d/order=%s", n, order), func(b *testing.B) {
			withSpill(1<<20, func() {
				opts := make([]*optEntry, 12)
				for i := range opts {
					opts[i] = &optEntry{Option: Option{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Party %d", i)}, no: int32(i), idNo: int32(i)}
				}
				u := &unitBuf{level: "precinct"}
				b.ReportAllocs()
				var cpu time.Duration
				for b.Loop() {
					b.StopTimer()
					c := &contestAgg{}
					for i := range n {
						d := i / 200
						if order == "runs" {
							d = i / 60 % (n / 180)
						}
						u.id = fmt.Sprintf("d%d/%d", d, i+1)
						u.parent = fmt.Sprintf("d%d", d)
						u.pos = report.Position{File: "w.csv", Row: i + 2}
						u.results = u.results[:0]
						var valid int64
						for k, o := range opts {
							v := int64((i*7+k*13)%97 + 1)
							valid += v
							u.results = append(u.results, resRow{opt: o, votes: some(v), row: i + 2, col: int32(8 + k)})
						}
						u.fig[FigValid] = figure{v: some(valid), pos: report.Position{File: "w.csv", Row: i + 2, Column: 8}}
						c.units.keep(u, 0)
					}
					r := &runner{rec: &report.Recorder{}, spec: &Spec{}, contests: map[string]*contestAgg{"c": c}, contestOrder: []string{"c"}}
					start := testkit.CPUTime()
					b.StartTimer()
					if err := r.crossChecks(); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					cpu += testkit.CPUTime() - start
					if n := len(r.rec.Findings()); n != 0 {
						b.Fatalf("%d findings", n)
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			})
		})
	}
}

// BenchmarkKeep keeps polling stations of a dozen options in a unit
// store, as the reading goroutine does with every unit it flushes.
func BenchmarkKeep(b *testing.B) {
	opts := make([]*optEntry, 12)
	for i := range opts {
		opts[i] = &optEntry{Option: Option{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Party %d", i)}, no: int32(i), idNo: int32(i)}
	}
	u := &unitBuf{level: "precinct", parent: "d1", pos: report.Position{File: "w.csv", Row: 2}}
	for k, o := range opts {
		u.results = append(u.results, resRow{opt: o, votes: some(int64(k*13%97 + 1)), row: 2, col: int32(8 + k)})
	}
	u.fig[FigValid] = figure{v: some(700), pos: report.Position{File: "w.csv", Row: 2, Column: 8}}
	ids := make([]string, 4096)
	for i := range ids {
		ids[i] = fmt.Sprintf("d1/%d", i)
	}
	var s unitStore
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%100_000 == 0 {
			s.release()
			s = unitStore{}
		}
		u.id = ids[i%len(ids)]
		s.keep(u, 0)
		i++
	}
	s.release()
}

// appendZigs writes the bytes binary.AppendUvarint writes for each zig
// value, after what the slice holds, whatever its room.
func TestAppendZigs(t *testing.T) {
	vals := []int64{0, 1, -1, 63, 64, -64, -65, 127, 128, 1 << 20, -(1 << 40), math.MaxInt64, math.MinInt64 + 1, absent}
	for _, room := range []int{0, 3, 200} {
		b := append(make([]byte, 0, room), 9, 9)
		want := []byte{9, 9}
		for _, v := range vals {
			want = binary.AppendUvarint(want, zig(v))
		}
		if got := appendZigs(b, vals); !bytes.Equal(got, want) {
			t.Errorf("room %d: % x, want % x", room, got, want)
		}
	}
}
