package sources

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reuseText is delimited text whose tables keep a TableReader reading
// ahead from handing rows on for a while: a table of a few data rows and
// many blank ones (its sample is not settled until the blank rows end),
// quoted cells with "" and line ends, and a long second table.
func reuseText() string {
	var b strings.Builder
	b.WriteString("region,station,registered,A,B\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "R%d,%d,%d,%d,%d\n", i, i, 100+i, i, 2*i)
	}
	for range 3000 {
		b.WriteString(",,,,\n")
	}
	for i := 6; i <= 400; i++ {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, "\"R \"\"%d\"\"\",%d,%d,%d,%d\n", i, i, 100+i, i, 2*i)
		case 3:
			fmt.Fprintf(&b, "\"R\n%d\",\"%d\",%d,%d,%d\n", i, i, 100+i, i, 2*i)
		default:
			fmt.Fprintf(&b, "R%d,%d,%d,%d,%d\n", i, i, 100+i, i, 2*i)
		}
	}
	b.WriteString("\nSecond question\nstation,YES,NO\n")
	for i := 1; i <= 5000; i++ {
		fmt.Fprintf(&b, "%d,%d,%d\n", i, i, i+1)
	}
	return b.String()
}

// tableRows reads every batch of a CSV file through a TableReader and
// returns its rows, each with its table's first column for group. With
// late set, a batch's rows are copied only when the next batch is asked
// for, after a pause that lets a reader reading ahead take later batches
// from the source: the latest a caller may read them.
func tableRows(t *testing.T, path string, batch, ahead int, late bool) []Row {
	t.Helper()
	src, err := Open(context.Background(), Input{Path: path, Format: "csv", BatchRows: batch})
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTableReader(src, TableOptions{Ahead: ahead})
	defer tr.Close()
	var out []Row
	var last *TableBatch
	take := func() {
		if last == nil {
			return
		}
		for _, r := range last.Rows {
			r = copyRow(r)
			r.Group = last.Table.Columns[0]
			out = append(out, r)
		}
		last = nil
	}
	for {
		if late {
			time.Sleep(20 * time.Microsecond)
			take()
		}
		b, err := tr.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		last = b
		if !late {
			take()
		}
	}
}

// TestCSVCellsKeptAhead reads a CSV file through a TableReader that reads
// ahead, reading the rows of each batch only when it asks for the next,
// as a caller of such a reader may: they must hold what a reader that
// copies every batch at once reads, though the source reuses its arrays
// of cells and is read further meanwhile.
func TestCSVCellsKeptAhead(t *testing.T) {
	defer func(old int) { blockSize = old }(blockSize)
	blockSize = 1 << 10
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte(reuseText()), 0o644); err != nil {
		t.Fatal(err)
	}
	want := tableRows(t, path, 7, 0, false)
	if len(want) < 5+350+5000 {
		t.Fatalf("%d data rows, want at least %d", len(want), 5+350+5000)
	}
	for _, batch := range []int{7, 777, 4096} {
		for _, ahead := range []int{1, 2} {
			got := tableRows(t, path, batch, ahead, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("batches of %d rows, %d ahead: rows kept differ from rows copied (-copied +kept):\n%s", batch, ahead, diff)
			}
		}
	}
}

// TestCSVCellsReused holds the CSV source to its contract: the strings of
// a batch's cells stay as they were after later batches, while the
// arrays that hold them are reused (which TestCSVCellsKeptAhead relies on
// to mean anything).
func TestCSVCellsReused(t *testing.T) {
	defer func(old int) { blockSize = old }(blockSize)
	blockSize = 1 << 10
	text := reuseText()
	want := readCSVReference(t, []byte(text), ',')
	for _, batch := range []int{7, 777} {
		s := &csvSource{name: "t.csv", size: batch, br: newBlockReader(strings.NewReader(text), ',', 2)}
		var strs [][]string // each row's cells: copied slices, kept strings
		var kept [][]string // the first row's cells of each batch, not copied
		var copies [][]string
		for {
			b, err := s.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range b.Rows {
				strs = append(strs, slices.Clone(r.Cells))
			}
			kept = append(kept, b.Rows[0].Cells)
			copies = append(copies, slices.Clone(b.Rows[0].Cells))
		}
		s.br.close()
		if len(strs) != len(want) {
			t.Fatalf("batches of %d: %d rows, want %d", batch, len(strs), len(want))
		}
		for i, r := range want {
			if !slices.Equal(strs[i], r.Cells) {
				t.Fatalf("batches of %d: row %d is %q after later batches, want %q", batch, i, strs[i], r.Cells)
			}
		}
		changed := 0
		for i := range kept {
			if !slices.Equal(kept[i], copies[i]) {
				changed++
			}
		}
		if changed == 0 {
			t.Errorf("batches of %d: no array of cells of %d batches was reused", batch, len(kept))
		}
	}
}
