package sources

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stackedText is three tables: a titled one with sections and more rows
// than SampleRows, a second with other columns, and a short third.
func stackedText() string {
	var b strings.Builder
	b.WriteString("Results of the vote\n\nregion|station|registered|A|B\n")
	for s := 1; s <= 3; s++ {
		fmt.Fprintf(&b, "District %d\n", s)
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, "R%d|%d|%d|%d|%d\n", s, i, 100+i, i, 2*i)
		}
	}
	b.WriteString("\nSecond question\nstation|YES|NO\n")
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "%d|%d|%d\n", i, i, i+1)
	}
	b.WriteString("\nThird\nstation|X\n1|5\n2|6\n")
	return b.String()
}

type readTable struct {
	Columns []string
	Title   string
	Block   int
	Kinds   string
	Sample  int
	Rows    []Row
}

func readAheadTables(t *testing.T, text string, ahead int) ([]readTable, Stats) {
	t.Helper()
	tr := NewTableReader(&rowSource{rows: rowsOf(text)}, TableOptions{Ahead: ahead})
	defer tr.Close()
	var out []readTable
	var last *Table
	for {
		b, err := tr.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.Table != last {
			last = b.Table
			out = append(out, readTable{Columns: b.Table.Columns, Title: b.Table.Title, Block: b.Table.Block,
				Kinds: fmt.Sprint(b.Table.Kinds), Sample: len(b.Table.Sample)})
		}
		// Kept, not copied: rows must stay valid after later calls.
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, b.Rows...)
	}
	return out, tr.Stats()
}

// TestReadAheadSameAsInline reads the same input with and without a
// goroutine reading ahead: tables, their samples as the caller first sees
// them, rows and stats must be identical.
func TestReadAheadSameAsInline(t *testing.T) {
	text := stackedText()
	want, wantSt := readAheadTables(t, text, 0)
	if len(want) != 3 {
		t.Fatalf("inline read found %d tables, want 3", len(want))
	}
	for _, ahead := range []int{1, 2, 8} {
		got, st := readAheadTables(t, text, ahead)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ahead=%d: tables differ (-inline +ahead):\n%s", ahead, diff)
		}
		if st != wantSt {
			t.Errorf("ahead=%d: stats %+v, inline %+v", ahead, st, wantSt)
		}
	}
}

// TestReadAheadCloseEarly closes a reader in the middle of its input; the
// goroutine reading ahead must end rather than block.
func TestReadAheadCloseEarly(t *testing.T) {
	tr := NewTableReader(&rowSource{rows: rowsOf(stackedText())}, TableOptions{Ahead: 1})
	if _, err := tr.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tr.gone:
	default:
		t.Fatal("the goroutine reading ahead is still running after Close")
	}
}

// TestSingleSpaced checks the shortcut of repeatsHeader against the long
// way it stands for.
func TestSingleSpaced(t *testing.T) {
	for _, c := range []string{"", "a", "a b", " a", "a ", "a  b", "a\tb", "Nur Otan", "Ак жол", "a\u00a0b", "x\x00y", "\x7f"} {
		long := strings.Join(strings.Fields(c), " ") == c
		if singleSpaced(c) && !long {
			t.Errorf("singleSpaced(%q) = true, but Fields gives %q", c, strings.Join(strings.Fields(c), " "))
		}
	}
	for _, c := range []string{"Nur Otan", "Ак жол", "1234", ""} {
		if !singleSpaced(c) {
			t.Errorf("singleSpaced(%q) = false: the shortcut is not taken", c)
		}
	}
}
