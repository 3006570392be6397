package sources

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"tally/report"
)

// stations writes rows of a long results table from station from to to.
func stations(b *strings.Builder, from, to int) {
	for i := from; i < to; i++ {
		fmt.Fprintf(b, "P%d,D1,A,%d,1000,500,3\n", i, 10+i)
	}
}

const stationHeader = "precinct_id,district,party,votes,registered,ballots_cast,invalid\n"

// A quote opened and never closed takes the rest of the file into one
// cell; the rows in it would be lost. Reading must stop with an input
// error located at the cell, whether the quote is closed by a stray one
// further on (the blocks are parsed in parallel) or never (the text is
// read serially from the block that holds it).
func TestRunawayQuoteFails(t *testing.T) {
	defer func(old int) { maxUncut = old }(maxUncut)
	maxUncut = 4 << 10

	var closed strings.Builder // closed by a stray quote 49 lines on
	closed.WriteString(stationHeader)
	stations(&closed, 0, 100)
	closed.WriteString("P100,D1,\"Nur Otan,5,1000,500,3\n") // line 102
	stations(&closed, 101, 150)
	closed.WriteString("P150,D1,A\",5,1000,500,3\n") // line 152
	stations(&closed, 151, 3000)

	var open strings.Builder // never closed
	open.WriteString(stationHeader)
	stations(&open, 0, 100)
	open.WriteString("P100,D1,\"Nur Otan,5,1000,500,3\n")
	stations(&open, 101, 3000)

	for _, c := range []struct {
		name, data, want string
	}{
		{"closed", closed.String(), "t.csv::102:3: a quoted cell runs from line 102 to line 152, and its lines read like rows"},
		{"open", open.String(), "t.csv::102:3: a quoted cell runs from line 102 to line 3001, and its lines read like rows"},
	} {
		for _, workers := range []int{1, 2} {
			r := readCSVSource([]byte(c.data), ',', 512, 50, workers)
			if !errors.Is(r.err, report.ErrInput) || !strings.HasPrefix(r.err.Error(), c.want) {
				t.Errorf("%s, workers %d: got %v, want an input error %q...", c.name, workers, r.err, c.want)
			}
			for _, row := range r.rows {
				if row.Num >= 102 {
					t.Errorf("%s, workers %d: row of line %d handed on", c.name, workers, row.Num)
					break
				}
			}
		}
	}
}

// A record that runs on past maxRecord stops the reading with an input
// error at its first line, once about maxRecord bytes past it are read:
// an unclosed quote in a large file must not bring the rest of it into
// memory.
func TestLongRecordStops(t *testing.T) {
	defer func(u, r int) { maxUncut, maxRecord = u, r }(maxUncut, maxRecord)
	maxUncut, maxRecord = 4<<10, 64<<10
	var b strings.Builder
	b.WriteString("party,votes\nA,1\nB,\"2\n")
	for b.Len() < 4<<20 {
		b.WriteString("text with no delimiter, line after line\n")
	}
	b.WriteString("\",3\n")
	for _, workers := range []int{1, 2} {
		r := readCSVSource([]byte(b.String()), ',', 1<<10, 50, workers)
		want := "t.csv::3: a record starts here and runs on past 65536 bytes: a quote opened in it is probably never closed"
		if !errors.Is(r.err, report.ErrInput) || !strings.HasPrefix(r.err.Error(), want) {
			t.Errorf("workers %d: got %v, want an input error %q...", workers, r.err, want)
		}
		// What the splitter holds and the serial reader's buffers may
		// take ahead of the record, besides the record.
		if limit := maxRecord + 2*serialBuffer + 2*maxUncut + 64<<10; r.read > limit {
			t.Errorf("workers %d: read %d bytes of the text, want at most %d", workers, r.read, limit)
		}
	}
}

// Cells over a few lines (a header split over lines, a long name, a note
// with a comma or two) are text, read as encoding/csv reads them.
func TestMultilineCellsPass(t *testing.T) {
	defer func(old int) { maxUncut = old }(maxUncut)
	maxUncut = 4 << 10
	var b strings.Builder
	b.WriteString("\"precinct\nid\",district,party,votes,\"registered\nvoters\",ballots_cast,invalid,note\n")
	for i := range 300 {
		note := ""
		switch i {
		case 7:
			note = "\"recount ordered, see protocol 12,\nsigned, stamped\nand filed, 12 January, 2021\nby the commission\""
		case 200:
			note = "\"a \"\"quoted\"\" word\nover, two lines\""
		}
		party := "A"
		if i == 150 {
			party = "\"People's Party\nof Kazakhstan\""
		}
		fmt.Fprintf(&b, "P%d,D1,%s,%d,1000,500,3,%s\n", i, party, i, note)
	}
	data := []byte(b.String())
	want := readCSVReference(t, data, ',')
	for _, workers := range []int{1, 2} {
		r := readCSVSource(data, ',', 512, 50, workers)
		if r.err != nil {
			t.Fatalf("workers %d: %v", workers, r.err)
		}
		if err := sameRows(r.rows, want); err != nil {
			t.Fatalf("workers %d: %v", workers, err)
		}
	}
}

// In a file of two columns one delimiter a line is weak evidence: a note
// of a few lines with a comma in each reads as a cell, while a quote left
// open, which takes in the rest of the file, still fails.
func TestRunawayFewColumns(t *testing.T) {
	var note, open strings.Builder
	note.WriteString("party,votes\n")
	open.WriteString("party,votes\n")
	for i := range 200 {
		fmt.Fprintf(&note, "P%d,%d\n", i, i)
		fmt.Fprintf(&open, "P%d,%d\n", i, i)
		if i == 20 {
			note.WriteString("\"Party A\nlisted, first\nregistered, 2020\nrenamed, 2021\nmerged, 2022\",5\n")
			open.WriteString("\"Party A,5\n")
		}
	}
	r := readCSVSource([]byte(note.String()), ',', 512, 50, 2)
	if r.err != nil {
		t.Fatalf("a note of five lines: %v", r.err)
	}
	if err := sameRows(r.rows, readCSVReference(t, []byte(note.String()), ',')); err != nil {
		t.Fatal(err)
	}
	r = readCSVSource([]byte(open.String()), ',', 512, 50, 2)
	if want := "t.csv::23:1: a quoted cell runs from line 23"; r.err == nil || !strings.HasPrefix(r.err.Error(), want) {
		t.Fatalf("a quote left open: got %v, want %q...", r.err, want)
	}
}
