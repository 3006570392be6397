package sources

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// FuzzSniffCSV feeds arbitrary bytes to the encoding and delimiter
// sniffers and then reads them as a table. Invariants: nothing panics;
// the encoding named is one Open accepts; the delimiter is one of those
// tried; every row read is accounted for in the stats.
func FuzzSniffCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n",
		"\ufeffRegion;Votes\nNorth;1 234\n",
		"Title\n\nName\tA\tB\nX\t1\t2\nTotal\t1\t2\n* note\n",
		"\"q\"\"uote\",b\n\"multi\nline\",2\n",
		"\xff\xfeR\x00,\x00V\x00\n\x00",
		"\xc8\xf2\xee\xe3\xee;1\n",
		"\x8d\xe0\xe7\xe0\x9d;2\n",
		"", "\n\n\n", ",,,\n,,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := DetectEncoding(data)
		if _, _, err := lookupEncoding(g.Name); err != nil {
			t.Fatalf("DetectEncoding named %q: %v", g.Name, err)
		}
		if g.Confidence < 0 || g.Confidence > 1 {
			t.Fatalf("confidence %v out of [0, 1]", g.Confidence)
		}
		d := SniffDelimiter(data)
		if !strings.ContainsRune(",;\t|", d) {
			t.Fatalf("delimiter %q", d)
		}
		src := &memSource{name: "f.csv", blob: data}
		if err := src.open(); err != nil {
			return
		}
		tr := NewTableReader(src, TableOptions{})
		readTables(t, tr)
	})
}

// FuzzDetectHeader builds rows from text (lines of cells split on '|')
// and finds their header and tables. Invariants: nothing panics; the
// header lies inside the rows; every row is accounted for.
func FuzzDetectHeader(f *testing.F) {
	for _, s := range []string{
		"Title\nRegion|Voters|A||B|\n||votes|%|votes|%\n1|2|3|4|5|6\nNorth|1000|600|60|400|40\nTotal|1000|600|60|400|40",
		"Office\n|Cand A|Cand B\nTotal Votes|10|20\nX|4|5\n\nOffice 2\n|C|D\nTotal Votes|1|2",
		"POLSKA|1|2\nWOJ\nOKW|1|1\nrazem|1|1",
		"|||\n1|2|3\n-|–|x",
		"216 - 17.73%|a\nb|1 (2%)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var rows []Row
		for i, ln := range strings.Split(text, "\n") {
			rows = append(rows, Row{Num: i + 1, Cells: strings.Split(ln, "|")})
		}
		i, n := DetectHeader(rows, 0)
		if i < 0 || n < 1 || len(rows) > 0 && i >= len(rows) {
			t.Fatalf("DetectHeader = %d, %d for %d rows", i, n, len(rows))
		}
		_ = HeaderParts(rows)
		src := &rowSource{rows: rows}
		readTables(t, NewTableReader(src, TableOptions{}))
	})
}

func readTables(t *testing.T, tr *TableReader) {
	t.Helper()
	data := 0
	for {
		b, err := tr.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			return
		}
		if b.Table == nil || len(b.Rows) == 0 {
			t.Fatalf("batch with table %v and %d rows", b.Table, len(b.Rows))
		}
		for _, r := range b.Rows {
			if r.Num < 1 {
				t.Fatalf("row number %d", r.Num)
			}
		}
		data += len(b.Rows)
	}
	st := tr.Stats()
	if st.Rows != st.DataRows+st.HeaderRows+st.Preamble+st.Blank || st.DataRows != data {
		t.Fatalf("stats do not add up: %+v, %d data rows handed on", st, data)
	}
}

// memSource reads CSV bytes as Open would, without a file.
type memSource struct {
	name string
	blob []byte
	src  Source
}

func (m *memSource) open() error {
	b := &blob{name: m.name, size: int64(len(m.blob)), ra: bytes.NewReader(m.blob),
		stream: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(m.blob)), nil }}
	if err := b.readHead(); err != nil {
		return err
	}
	s, err := openCSV(context.Background(), b, Input{Name: m.name})
	m.src = s
	return err
}

func (m *memSource) Next(ctx context.Context) (*Batch, error) { return m.src.Next(ctx) }
func (m *memSource) Close() error                             { return m.src.Close() }

// freshRows: the CSV source's batches are fresh, so the reader takes the
// way of handing rows on in place.
func (m *memSource) freshRows() {}

// rowSource hands on fixed rows in batches of three, so that tables
// straddle batches.
type rowSource struct {
	rows []Row
	at   int
	b    Batch
}

func (s *rowSource) Next(context.Context) (*Batch, error) {
	if s.at >= len(s.rows) {
		return nil, io.EOF
	}
	end := min(s.at+3, len(s.rows))
	s.b = Batch{File: "f", Rows: s.rows[s.at:end]}
	s.at = end
	return &s.b, nil
}

func (s *rowSource) Close() error { return nil }
