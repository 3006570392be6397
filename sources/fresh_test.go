package sources

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listSource hands out fixed rows in batches of size rows, in one array
// it fills anew for every batch, as a Source may: a reader that keeps
// rows must copy them.
type listSource struct {
	rows []Row
	size int
	at   int
	b    Batch
}

func (s *listSource) Next(context.Context) (*Batch, error) {
	if s.at >= len(s.rows) {
		return nil, io.EOF
	}
	end := min(s.at+s.size, len(s.rows))
	rows := s.b.Rows[:0]
	for i := range rows[:cap(rows)] {
		// What a later batch leaves in the array is garbage.
		rows[:cap(rows)][i] = Row{Num: -1, Cells: []string{"stale"}, Group: "stale"}
	}
	for _, r := range s.rows[s.at:end] {
		rows = append(rows, Row{Num: r.Num, Cells: slices.Clone(r.Cells)})
	}
	s.b = Batch{File: "f", Rows: rows}
	s.at = end
	return &s.b, nil
}

func (s *listSource) Close() error { return nil }

// freshListSource is a listSource whose batches each have an array of
// their own, and says so: the TableReader hands runs of rows on in place.
type freshListSource struct{ listSource }

func (s *freshListSource) Next(ctx context.Context) (*Batch, error) {
	s.b.Rows = nil
	return s.listSource.Next(ctx)
}

func (s *freshListSource) freshRows() {}

type readBatch struct {
	Block   int
	Title   string
	Columns []string
	Header  []int
	Kinds   string
	Sample  []Row
	Rows    []Row
}

// readBatches reads every batch of tr, keeping its rows as handed out
// (not copied: they must stay valid) and its table as first seen.
func readBatches(t testing.TB, tr *TableReader) ([]readBatch, Stats) {
	t.Helper()
	defer tr.Close()
	var out []readBatch
	for {
		b, err := tr.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tb := b.Table
		out = append(out, readBatch{Block: tb.Block, Title: tb.Title, Columns: tb.Columns, Header: tb.HeaderRows,
			Kinds: fmt.Sprint(tb.Kinds), Sample: slices.Clone(tb.Sample), Rows: b.Rows})
	}
	return out, tr.Stats()
}

// checkFresh reads rows through a TableReader from a source that reuses
// its array and from one that hands out fresh arrays, which takes the
// reader's way of handing runs of rows on in place: batches, tables, rows
// and stats must be the same.
func checkFresh(t testing.TB, rows []Row, size int) {
	t.Helper()
	for _, ahead := range []int{0, 2} {
		opt := TableOptions{Ahead: ahead}
		want, wantSt := readBatches(t, NewTableReader(&listSource{rows: rows, size: size}, opt))
		got, st := readBatches(t, NewTableReader(&freshListSource{listSource{rows: rows, size: size}}, opt))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("batches of %d rows, ahead %d: copied and in place differ (-copied +in place):\n%s", size, ahead, diff)
		}
		if st != wantSt {
			t.Fatalf("batches of %d rows, ahead %d: stats %+v in place, %+v copied", size, ahead, st, wantSt)
		}
		if st.Rows != len(rows) || st.Rows != st.DataRows+st.HeaderRows+st.Preamble+st.Blank {
			t.Fatalf("stats %+v for %d rows", st, len(rows))
		}
	}
}

// randomTableText makes '|'-separated lines that exercise the table
// finder: headers, data, blank rows, section labels, notes, repeated
// headers, rows of column numbers and stacked tables.
func randomTableText(rng *rand.Rand) string {
	var b strings.Builder
	header := "region|station|registered|A|B"
	b.WriteString(header + "\n")
	for range rng.IntN(200) {
		switch rng.IntN(20) {
		case 0:
			b.WriteString("\n")
		case 1:
			fmt.Fprintf(&b, "District %d\n", rng.IntN(9))
		case 2:
			b.WriteString(header + "\n")
		case 3:
			b.WriteString("1|2|3|4|5\n")
		case 4:
			b.WriteString("* a note\n")
		case 5:
			header = []string{"station|YES|NO", "region|station|registered|A|B", "place|votes|share"}[rng.IntN(3)]
			fmt.Fprintf(&b, "Question %d\n%s\n", rng.IntN(9), header)
		case 6:
			b.WriteString("||\n")
		default:
			n := strings.Count(header, "|") + 1
			cells := []string{fmt.Sprintf("R%d", rng.IntN(5))}
			for i := 1; i < n; i++ {
				cells = append(cells, fmt.Sprint(rng.IntN(1000)))
			}
			b.WriteString(strings.Join(cells, "|") + "\n")
		}
	}
	return b.String()
}

func TestFreshRowsInPlace(t *testing.T) {
	texts := []string{stackedText(), "", "a|b\n1|2", "Title\n\nregion|A|B\nR|1|2\n\nR|3|4\nSection\nR|5|6\nregion|A|B\nR|7|8\n"}
	rng := rand.New(rand.NewPCG(8, 9))
	for range 200 {
		texts = append(texts, randomTableText(rng))
	}
	for _, text := range texts {
		rows := rowsOf(text)
		for _, size := range []int{1, 3, 7, 64, 4096} {
			checkFresh(t, rows, size)
		}
	}
}

func FuzzFreshRows(f *testing.F) {
	f.Add(stackedText(), 5)
	f.Add("Title\n\nregion|A|B\nR|1|2\n\nR|3|4\nSection\nR|5|6\nregion|A|B\nR|7|8\n", 2)
	f.Fuzz(func(t *testing.T, text string, size int) {
		checkFresh(t, rowsOf(text), 1+(size&0xffff)%50)
	})
}

// The CSV source hands out fresh batches, so that the reader takes its
// rows in place.
func TestCSVSourceIsFresh(t *testing.T) {
	var src Source = &csvSource{}
	if _, ok := src.(freshRows); !ok {
		t.Fatal("csvSource does not hand out fresh batches")
	}
}

// FuzzDataRow holds dataRow, with its shortcut for the usual data row,
// to the tests of feed one after another.
func FuzzDataRow(f *testing.F) {
	// A header, a data row to judge the columns by, and the row to test.
	for _, s := range []string{
		"R1|1|5|6",
		"1|2|3|4",
		"District 1",
		"\ufeff|x",
		"\u00a0|\u3000",
		"region|station|A|B",
		"R1|x|seven|eight",
		"-|+|1|2",
		"Ак жол|Б|1|2",
		"R1|2|x y|z w",
		"R1||x y|z w",
		"R1|2| 7|1 000",
		"r1|x|5|6",
		"region|station|5|6",
		"region|1|5|6",
		"R1|1|x|6",
	} {
		f.Add("region|station|A|B\nR1|1|5|6\n" + s)
	}
	// A first column whose header part differs from its name (a header
	// of two rows), and a table of no numbers.
	f.Add("Area|station|votes|\nregion|id|A|B\nR1|1|5|6\nregion|id|7|8")
	f.Add("Area|2021|votes|x\nregion||A|B\nR1|1|5|6\nArea / region|2021||")
	f.Add("a|b\nx|y\nz|w")
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		if len(lines) < 3 {
			return
		}
		rows := rowsOf(strings.Join(lines[:len(lines)-1], "\n"))
		tr := &TableReader{}
		tr.pending = rows
		tr.settle()
		if tr.table == nil {
			return
		}
		r := Row{Cells: strings.Split(lines[len(lines)-1], "|")}
		want := !r.Blank() && !tr.repeatsHeader(r) && !onlyColumnNumbers(r) && !tr.startsTable(r) && !labelRow(r)
		if got := tr.dataRow(r); got != want {
			t.Fatalf("dataRow(%q) = %v, want %v", r.Cells, got, want)
		}
		if got, want := tr.startsTable(r), startsTablePlain(tr, r); got != want {
			t.Fatalf("startsTable(%q) = %v, want %v", r.Cells, got, want)
		}
	})
}

// startsTablePlain is startsTable without its shortcut for cells of
// digits.
func startsTablePlain(t *TableReader, r Row) bool {
	words := 0
	for i, c := range r.Cells {
		if i >= len(t.table.Kinds) || !t.table.Kinds[i].Numeric() {
			continue
		}
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if LooksNumeric(c) || CountPercent(c) {
			return false
		}
		if hasLetter(c) {
			words++
		}
	}
	return words >= 2
}
